"""The email digest: compose -> outbox (the send ledger) -> transport (SMTP), run by the service
(`send`, `preview`) and the daemon (`digest run`). The briefing each reader gets comes from
digest.pipeline, as for `digest brief`."""
