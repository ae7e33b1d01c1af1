from leadscribe.cli import main

raise SystemExit(main())
