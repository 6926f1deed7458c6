"""The store's core: pure rules (codec, merge patch, schema, config, processor) and the store."""
