"""nameko glue of the runtime kit: dependency providers, entrypoint decorators, the base
service class and the process launcher. Only nameko services import this package."""
