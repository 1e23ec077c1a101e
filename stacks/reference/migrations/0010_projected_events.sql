-- Event ids the projector has folded, so the same event produced twice (a client retry, a file
-- replayed into the topic again) counts once even at a new offset. Written in the transaction of
-- the read-model change; projector_offsets covers redelivery of the same offsets.
CREATE TABLE projected_events (
  event_id      text PRIMARY KEY,
  projected_at  timestamptz NOT NULL DEFAULT now()
);
