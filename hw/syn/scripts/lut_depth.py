#!/usr/bin/env python3
"""LUT levels of a flattened `synth -lut 6` netlist in which some modules are
blackboxes (yosys `write_json` output).

yosys `ltp -noff` treats a blackbox cell as one combinational node from every
input to every output, so a chain of blackboxed pipeline stages reads as one
long path. Here every cell whose type is in --cut (the blackboxes: modules
depth-checked on their own) ends and starts paths like a flip-flop, and the
depth at their ports is reported apart:

  depth      longest path, in $lut cells, between flip-flops, top ports and
             cut cells (what `ltp -noff` gives when there are no blackboxes)
  into T     deepest logic feeding an input of a cell of type T
  out of T   deepest logic fed by an output of a cell of type T

A type in --registered must have no logic on either side (it is combinational
and sits between registers, so its own check is the whole stage). Fails (exit
1) when the depth exceeds --max or a --registered type has logic beside it;
writes "CORE depth" to --out.
"""
import argparse
import json
import sys

FF_MARKS = ("DFF", "DLATCH", "SR_", "FF_")


def is_ff(cell_type):
    return cell_type.startswith("$_") and any(m in cell_type for m in FF_MARKS)


def is_comb(cell_type):
    return cell_type == "$lut" or (cell_type.startswith("$_") and not is_ff(cell_type))


class Netlist:
    def __init__(self, module, cut):
        self.driver = {}      # bit -> input bits of its combinational driver
        self.driver_cell = {}
        self.sinks = {}       # bit -> combinational cells it feeds (output bits)
        self.cut_inputs = {}  # cut type -> bits on its inputs
        self.cut_outputs = {}  # cut type -> bits on its outputs
        self.names = {}
        for name, net in module.get("netnames", {}).items():
            for b in net["bits"]:
                if isinstance(b, int) and (b not in self.names or not name.startswith("$")):
                    self.names[b] = name
        for cname, cell in module.get("cells", {}).items():
            ctype = cell["type"]
            dirs = cell.get("port_directions", {})
            ins = [b for p, bits in cell["connections"].items() if dirs.get(p) == "input"
                   for b in bits if isinstance(b, int)]
            outs = [b for p, bits in cell["connections"].items() if dirs.get(p) == "output"
                    for b in bits if isinstance(b, int)]
            if ctype in cut:
                self.cut_inputs.setdefault(ctype, []).extend(ins)
                self.cut_outputs.setdefault(ctype, []).extend(outs)
            elif is_ff(ctype):
                continue
            elif is_comb(ctype):
                if not dirs:
                    sys.exit(f"cell {cname} ({ctype}) has no port directions")
                for o in outs:
                    self.driver[o] = ins
                    self.driver_cell[o] = cname
                for i in ins:
                    self.sinks.setdefault(i, []).extend(outs)
            else:
                sys.exit(f"unknown cell type {ctype} ({cname}): blackbox it with --cut or map it")

    def arrival(self):
        """Levels of combinational cells behind each driven bit (0 at sources)."""
        depth = {}
        for start in self.driver:
            if start in depth:
                continue
            stack = [(start, False)]
            on_stack = set()
            while stack:
                bit, expanded = stack.pop()
                if bit in depth:
                    continue
                ins = self.driver.get(bit)
                if ins is None:
                    depth[bit] = 0
                    continue
                if expanded:
                    on_stack.discard(bit)
                    depth[bit] = 1 + max((depth[i] for i in ins), default=0)
                    continue
                if bit in on_stack:
                    sys.exit(f"combinational loop through {self.names.get(bit, bit)}")
                on_stack.add(bit)
                stack.append((bit, True))
                stack.extend((i, False) for i in ins if i not in depth)
        return depth

    def forward(self, sources):
        """Longest path of combinational cells reachable from the given bits."""
        height = {}
        order = []
        seen = set()
        for s in sources:
            stack = [(s, False)]
            while stack:
                bit, done = stack.pop()
                if done:
                    order.append(bit)
                    continue
                if bit in seen:
                    continue
                seen.add(bit)
                stack.append((bit, True))
                stack.extend((o, False) for o in self.sinks.get(bit, ()) if o not in seen)
        for bit in order:   # reverse topological: sinks first
            height[bit] = max((1 + height[o] for o in self.sinks.get(bit, ())), default=0)
        return max((height[s] for s in sources), default=0)

    def path(self, depth, end):
        bits = [end]
        while bits[-1] in self.driver and depth.get(bits[-1], 0) > 0:
            ins = self.driver[bits[-1]]
            bits.append(max(ins, key=lambda i: depth.get(i, 0)))
        return [self.names.get(b, str(b)) for b in reversed(bits)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--cut", default="", help="comma-separated blackbox cell types")
    ap.add_argument("--registered", default="", help="comma-separated types that need no logic beside them")
    ap.add_argument("--max", type=int, default=6)
    ap.add_argument("--out")
    ap.add_argument("--core")
    args = ap.parse_args()

    with open(args.json) as f:
        design = json.load(f)
    modules = design["modules"]
    if args.top not in modules:
        sys.exit(f"top {args.top} not in the netlist")
    cut = {t for t in args.cut.split(",") if t}
    registered = {t for t in args.registered.split(",") if t}
    net = Netlist(modules[args.top], cut)
    depth = net.arrival()
    end = max(depth, key=depth.get, default=None)
    worst = depth[end] if end is not None else 0
    ok = worst <= args.max
    print(f"LUT levels: {worst} (limit {args.max})")
    if end is not None:
        print("  deepest path: " + " -> ".join(net.path(depth, end)))
    for t in sorted(cut):
        into = max((depth.get(b, 0) for b in net.cut_inputs.get(t, ())), default=0)
        out_of = net.forward(net.cut_outputs.get(t, []))
        count = "absent" if t not in net.cut_inputs and t not in net.cut_outputs else ""
        print(f"  {t}: {into} levels into, {out_of} out of {count}".rstrip())
        if t in registered and (into or out_of):
            print(f"  FAIL: {t} must sit between registers (logic found beside it)")
            ok = False
    if args.out:
        with open(args.out, "w") as f:
            f.write(f"{args.core or args.top} {worst}\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
