-- Accounts, API keys and quota tiers. Keys are stored only as SHA-256 hashes of their secret part;
-- the gateway looks a key up by its public id and compares hashes in constant time.
CREATE TABLE tiers (
  name              text PRIMARY KEY,
  daily_requests    bigint  NOT NULL CHECK (daily_requests >= 0),
  daily_tokens      bigint  NOT NULL CHECK (daily_tokens >= 0),
  monthly_requests  bigint  NOT NULL CHECK (monthly_requests >= 0),
  monthly_tokens    bigint  NOT NULL CHECK (monthly_tokens >= 0),
  rate_per_second   numeric NOT NULL CHECK (rate_per_second > 0),
  rate_burst        integer NOT NULL CHECK (rate_burst >= 1),
  priority          integer NOT NULL DEFAULT 0
);

CREATE TABLE users (
  user_id     text PRIMARY KEY,
  tier        text NOT NULL REFERENCES tiers (name),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  key_id      text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  key_hash    bytea NOT NULL CHECK (octet_length(key_hash) = 32),
  label       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);
