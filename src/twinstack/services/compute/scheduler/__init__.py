"""Nova's scheduler: placement allocation candidates, then filters, then weighers, then claim."""
