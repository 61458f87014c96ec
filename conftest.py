# nameko runs on eventlet, and its pytest plugin no longer patches the standard library:
# this must happen before anything imports socket, threading or pymongo.
import warnings

# eventlet announces its bugfix-only mode on import; that one known warning is silenced.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()
