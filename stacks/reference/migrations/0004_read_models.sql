-- Read models the projector folds user events into. Each row changes in the same transaction
-- that advances projector_offsets, so a crash or a replay never counts an event twice.
CREATE TABLE profiles (
  user_id                  text PRIMARY KEY,
  views                    bigint NOT NULL DEFAULT 0,
  likes                    bigint NOT NULL DEFAULT 0,
  searches                 bigint NOT NULL DEFAULT 0,
  recommendation_requests  bigint NOT NULL DEFAULT 0,
  watch_seconds            double precision NOT NULL DEFAULT 0,
  last_event_at            timestamptz
);

CREATE TABLE genre_affinity (
  user_id  text NOT NULL,
  genre    text NOT NULL,
  score    double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, genre)
);

CREATE TABLE recommendations (
  user_id      text PRIMARY KEY,
  items        jsonb NOT NULL,
  computed_at  timestamptz NOT NULL DEFAULT now()
);

-- Views and likes per content item in tumbling windows.
CREATE TABLE trending (
  window_start  timestamptz NOT NULL,
  content_id    text NOT NULL,
  views         bigint NOT NULL DEFAULT 0,
  likes         bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (window_start, content_id)
);
CREATE INDEX trending_window_idx ON trending (window_start DESC);

-- The next offset to consume per consumer group and partition, committed with the read models.
CREATE TABLE projector_offsets (
  consumer_group  text NOT NULL,
  topic           text NOT NULL,
  partition       integer NOT NULL,
  next_offset     bigint NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);
