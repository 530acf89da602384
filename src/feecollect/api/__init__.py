"""HTTP API: one FastAPI app, routers contributed by the domain packages."""
