"""The city API's contract: the wire models the kiosk's client and the city's server both import.

One set of pydantic models (cityapi.models) describes every request and answer; the server
builds its OpenAPI document (docs/openapi.json) from them and the client parses answers with
them, so the two cannot disagree. This package imports neither side.
"""
