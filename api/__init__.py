"""The Litestar application: thin controllers that parse, authorise, call a service and
return a schema. ``create_app()`` is the factory."""
