"""`python -m eval [options]` runs the question set; `python -m eval bench [options]` runs the benchmarks."""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "bench":
    from eval.bench import main

    sys.exit(main(sys.argv[2:]))

from eval.run import main

sys.exit(main(sys.argv[1:]))
