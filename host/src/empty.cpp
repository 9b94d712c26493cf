// Placeholder translation unit for a library target whose objects come from elsewhere.
namespace aipsec::detail { [[maybe_unused]] static const int kEmpty = 0; }
