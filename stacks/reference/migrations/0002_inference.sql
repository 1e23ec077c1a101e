-- The inference gateway's requests and the usage log billing reads. usage_log has one row per
-- request (its primary key), which is what makes the collector's settlement idempotent.
CREATE TABLE requests (
  request_id         uuid PRIMARY KEY,
  user_id            text NOT NULL REFERENCES users (user_id),
  key_id             text NOT NULL,
  tier               text NOT NULL,
  model              text NOT NULL,
  prompt             text NOT NULL,
  max_tokens         integer NOT NULL,
  estimated_tokens   integer NOT NULL CHECK (estimated_tokens >= 0),
  quota_day          date NOT NULL,
  quota_month        text NOT NULL,
  status             text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  attempts           integer NOT NULL DEFAULT 0,
  output             text,
  prompt_tokens      integer,
  completion_tokens  integer,
  total_tokens       integer,
  degraded           boolean NOT NULL DEFAULT false,
  error              text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  completed_at       timestamptz
);
CREATE INDEX requests_user_created_idx ON requests (user_id, created_at);
CREATE INDEX requests_status_idx ON requests (status) WHERE status IN ('queued', 'running');

CREATE TABLE usage_log (
  request_id        uuid PRIMARY KEY REFERENCES requests (request_id),
  user_id           text NOT NULL,
  tier              text NOT NULL,
  quota_day         date NOT NULL,
  quota_month       text NOT NULL,
  estimated_tokens  integer NOT NULL,
  actual_tokens     integer NOT NULL CHECK (actual_tokens >= 0),
  outcome           text NOT NULL CHECK (outcome IN ('completed', 'failed')),
  settled_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_log_user_day_idx ON usage_log (user_id, quota_day);
