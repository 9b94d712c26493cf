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

Options for checks that compose (a pipeline stage checked alone, then the
pipeline with its stages as blackboxes):
  --fed-by-registers TYPES  no logic in front of the inputs of these cut types
                            (logic after them is allowed: modules whose own
                            check has --registered-outputs)
  --registered-except P=N   ports named P of the --registered and
                            --fed-by-registers types may have up to N levels
                            in front (a clock enable that only enables
                            flip-flops inside); repeatable
  --registered-outputs      the top's outputs must come straight from flip-
                            flops, cut cells or constants (no logic after the
                            last register, no input fed through): the levels
                            of the next module then start at a register
  --yosys BIN --script F    run `BIN -q -l F.log -s F` first (the script
                            writes --json); the json is removed afterwards
"""
import argparse
import json
import os
import subprocess
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
        self.cut_port_inputs = {}  # (cut type, port) -> bits on that input port
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
                for p, bits in cell["connections"].items():
                    if dirs.get(p) == "input":
                        self.cut_port_inputs.setdefault((ctype, p), []).extend(
                            b for b in bits if isinstance(b, int))
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


def registered_outputs(net, module, depth):
    """True when no output bit of the top is driven through logic or by an input."""
    inputs = set()
    for port in module.get("ports", {}).values():
        if port["direction"] == "input":
            inputs.update(b for b in port["bits"] if isinstance(b, int))
    ok = True
    for name, port in sorted(module.get("ports", {}).items()):
        if port["direction"] != "output":
            continue
        bits = [b for b in port["bits"] if isinstance(b, int)]
        worst = max(bits, key=lambda b: depth.get(b, 0), default=None)
        if worst is not None and depth.get(worst, 0) > 0:
            print(f"  FAIL: output {name} has {depth[worst]} levels after its registers: "
                  + " -> ".join(net.path(depth, worst)))
            ok = False
        if inputs.intersection(bits):
            print(f"  FAIL: output {name} is fed straight from an input")
            ok = False
    if ok:
        print("  outputs: straight from registers")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--cut", default="", help="comma-separated blackbox cell types")
    ap.add_argument("--registered", default="", help="comma-separated types that need no logic beside them")
    ap.add_argument("--max", type=int, default=6)
    ap.add_argument("--out")
    ap.add_argument("--core")
    ap.add_argument("--fed-by-registers", default="",
                    help="comma-separated cut types that need no logic in front of them")
    ap.add_argument("--registered-except", action="append", default=[], metavar="PORT=N",
                    help="input port of the --registered types allowed N levels in front")
    ap.add_argument("--registered-outputs", action="store_true",
                    help="the top's outputs must come straight from registers")
    ap.add_argument("--yosys", help="run this yosys on --script first")
    ap.add_argument("--script", help="yosys script that writes --json")
    args = ap.parse_args()

    if args.yosys:
        if not args.script:
            sys.exit("--yosys needs --script")
        rc = subprocess.run([args.yosys, "-q", "-l", args.script + ".log", "-s", args.script],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        if rc != 0:
            sys.exit(f"yosys failed ({rc}); log in {args.script}.log")
    exempt = {}
    for e in args.registered_except:
        port, _, n = e.partition("=")
        exempt[port] = int(n or 0)

    with open(args.json) as f:
        design = json.load(f)
    if args.yosys:
        os.remove(args.json)
    modules = design["modules"]
    if args.top not in modules:
        sys.exit(f"top {args.top} not in the netlist")
    cut = {t for t in args.cut.split(",") if t}
    registered = {t for t in args.registered.split(",") if t}
    fed = {t for t in args.fed_by_registers.split(",") if t}
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
        if t in (registered | fed) and exempt:
            into = 0
            for (ct, port), bits in net.cut_port_inputs.items():
                if ct != t:
                    continue
                d = max((depth.get(b, 0) for b in bits), default=0)
                if port in exempt:
                    if d > exempt[port]:
                        print(f"  FAIL: {d} levels into {t}.{port} (allowed {exempt[port]})")
                        ok = False
                else:
                    into = max(into, d)
        print(f"  {t}: {into} levels into, {out_of} out of {count}".rstrip())
        if t in registered and (into or out_of):
            print(f"  FAIL: {t} must sit between registers (logic found beside it)")
            ok = False
        if t in fed and into:
            print(f"  FAIL: {into} levels in front of {t} (its inputs must come from registers)")
            ok = False
    if args.registered_outputs and not registered_outputs(net, modules[args.top], depth):
        ok = False
    if args.out:
        with open(args.out, "w") as f:
            f.write(f"{args.core or args.top} {worst}\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
