"""The admin gateway: HTTP API, Open311, public pages and the web console, over RPC."""
