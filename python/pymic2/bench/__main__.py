"""Entry point: python -m pymic2.bench
{runtime,ops,breadth,peers,sort,linalg,pipeline,chainer,opencl,fft} [options]."""
import argparse
import sys

from . import breadth, chainer, fft, linalg, opencl, ops, peers, pipeline, runtime, sort

# Subcommand name -> module with add_arguments(parser) and run(args) -> exit status.
SUBCOMMANDS = {
    "runtime": runtime,
    "ops": ops,
    "breadth": breadth,
    "peers": peers,
    "linalg": linalg,
    "sort": sort,
    "pipeline": pipeline,
    "chainer": chainer,
    "opencl": opencl,
    "fft": fft,
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m pymic2.bench",
                                     description="pyMIC2 benchmarks (CSV + summary)")
    subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
    for name, module in SUBCOMMANDS.items():
        subparser = subparsers.add_parser(name, help=module.SUMMARY, description=module.SUMMARY)
        module.add_arguments(subparser)
    args = parser.parse_args(argv)
    return SUBCOMMANDS[args.subcommand].run(args)


if __name__ == "__main__":
    sys.exit(main())
