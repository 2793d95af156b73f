"""Messages to people: the outbox, its delivery worker, and the e-mail and SMS transports."""
