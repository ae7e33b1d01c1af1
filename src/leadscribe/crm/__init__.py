"""CRM field proposals (mapping + confidence policy) and, later, the sinks that write them."""
