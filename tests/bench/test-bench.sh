#!/bin/bash
# The benchmark, once, on small sizes: it asserts the answers it replays
# (every contender must find what the generator planted), never the times.
exec bash "$(dirname "$0")/run-bench" --small
