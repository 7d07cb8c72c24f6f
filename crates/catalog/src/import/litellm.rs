//! LiteLLM importer (in progress).
