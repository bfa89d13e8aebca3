"""Personal data protection: field encryption, blind indexes and masking."""
