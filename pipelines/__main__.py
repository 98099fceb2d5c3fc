from pipelines.cli import main
from pipelines.load.process import exit_process

exit_process(main())
