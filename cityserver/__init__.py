"""The city's reference server: the city API (FastAPI on uvicorn, SQLite) for tests, demos and
as the contract's source (docs/openapi.json, built from its routes and the cityapi models).

Installed with the `server` extra and run as `cityserver serve`. The kiosk never imports this
package: it talks to the city API over HTTP (kiosk.cityclient), and `kiosk demo` starts the
server as a child process.
"""
