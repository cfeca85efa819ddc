import sys

from gift_dash.cli import main

sys.exit(main())
