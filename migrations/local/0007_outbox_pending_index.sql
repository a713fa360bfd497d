-- Version 7: the pending mutations by an index.
-- The sync indicator counts the pending mutations after every cycle and at start-up, and the push
-- reads the oldest of them; without an index both read the whole outbox, every mutation's
-- arguments included (a 100k-lead import queues about 40 MB), through a reader's page cache.
CREATE INDEX sync_outbox_pending ON sync_outbox (state, mutation_id);
