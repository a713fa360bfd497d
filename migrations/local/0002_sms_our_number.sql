-- Version 2: which of the agent's numbers a message went from or arrived at, so a reply goes out
-- from the number the contact knows. (from_number is the sender as SignalWire reports it: ours
-- for outbound, the contact's for inbound.)
ALTER TABLE sms_messages ADD COLUMN our_number TEXT;
-- Unread inbound messages, for the navigation badge (read_at is set when the thread is opened).
CREATE INDEX sms_messages_unread ON sms_messages(direction, read_at);
