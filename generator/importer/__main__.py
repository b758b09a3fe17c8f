"""``python -m generator.importer [SOURCE] [--dump-json FILE]``: the importer's command on its own,
until it is registered as ``utsapi import``."""

import argparse
import sys

from generator.importer import cli

parser = argparse.ArgumentParser(prog="python -m generator.importer", description=cli.HELP)
cli.configure(parser)
sys.exit(cli.run(parser.parse_args(), sys.stdout, sys.stderr))
