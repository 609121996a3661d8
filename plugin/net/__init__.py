"""All HTTP of the plugin: session, retries, timeouts, tokens, downloads. No Qt or QGIS."""
