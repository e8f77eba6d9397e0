-- The telemetry store. The first part is the origin service's schema (v1.0.0),
-- unchanged, so that its logger and dashboard keep working on a store that
-- agentpipe created. The second part is what agentpipe adds; `costsum --record`
-- also adds it to an existing origin store with ALTER TABLE ... ADD COLUMN.

CREATE TABLE IF NOT EXISTS invocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invocation_id TEXT UNIQUE NOT NULL,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
    agent_name TEXT,
    tool_name TEXT NOT NULL,
    model_name TEXT NOT NULL,
    prompt_tokens INTEGER DEFAULT 0,
    completion_tokens INTEGER DEFAULT 0,
    total_tokens INTEGER DEFAULT 0,
    cost_usd REAL DEFAULT 0.0,
    latency_ms INTEGER DEFAULT 0,
    status TEXT NOT NULL,
    error_message TEXT,
    privacy_level TEXT DEFAULT 'metadata'
);

CREATE TABLE IF NOT EXISTS daily_costs (
    date DATE NOT NULL,
    agent_name TEXT,
    tool_name TEXT NOT NULL,
    model_name TEXT NOT NULL,
    invocations INTEGER DEFAULT 0,
    total_tokens INTEGER DEFAULT 0,
    total_cost_usd REAL DEFAULT 0.0,
    PRIMARY KEY (date, agent_name, tool_name, model_name)
);

CREATE INDEX IF NOT EXISTS idx_invocations_timestamp ON invocations(timestamp);
CREATE INDEX IF NOT EXISTS idx_invocations_agent ON invocations(agent_name);
CREATE INDEX IF NOT EXISTS idx_invocations_tool ON invocations(tool_name);
CREATE INDEX IF NOT EXISTS idx_invocations_model ON invocations(model_name);
CREATE INDEX IF NOT EXISTS idx_invocations_status ON invocations(status);
CREATE INDEX IF NOT EXISTS idx_daily_costs_date ON daily_costs(date);

CREATE TABLE IF NOT EXISTS schema_version (
    version TEXT PRIMARY KEY,
    applied_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    description TEXT
);

INSERT OR IGNORE INTO schema_version (version, description)
VALUES ('1.0.0', 'Initial telemetry schema with invocations and daily_costs tables');

-- agentpipe's additions ---------------------------------------------------
-- Columns on invocations (added by costsum --record when missing):
--   task_id TEXT, cache_read_tokens INTEGER DEFAULT 0,
--   cache_write_tokens INTEGER DEFAULT 0, cache_write_1h_tokens INTEGER DEFAULT 0,
--   cost_pico INTEGER  -- the exact cost in 1e-12 USD; cost_usd keeps a float copy;
--                      NULL when the model had no price (cost_usd is then 0)
--
-- An exact hourly rollup, by UTC hour and every grouping field. It always holds
-- exactly the invocations with id <= agentpipe_meta.rollup_id, so a reader adds
-- the rows after that id itself and gets the same answer as a full scan;
-- agentpipe_meta.rollup_min_id is the first id it holds, and a reader that
-- finds it gone (the origin's retention deletes the oldest rows) scans instead.
CREATE TABLE IF NOT EXISTS agentpipe_hourly (
    hour TEXT NOT NULL,                  -- 'YYYY-MM-DD HH:00:00', UTC
    agent_name TEXT NOT NULL DEFAULT '', -- '' stands for NULL in these keys
    tool_name TEXT NOT NULL DEFAULT '',
    model_name TEXT NOT NULL DEFAULT '',
    task_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    calls INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
    cost_pico INTEGER NOT NULL DEFAULT 0,
    unpriced_calls INTEGER NOT NULL DEFAULT 0, -- calls with no price: not in cost_pico
    PRIMARY KEY (hour, agent_name, tool_name, model_name, task_id, status)
) WITHOUT ROWID;

-- The same by UTC day without the task: few rows, for questions of days,
-- weeks, months and years in UTC. It holds the calls with
-- id <= agentpipe_meta.daily_id, and is trusted only while that equals
-- rollup_id; a recorder that finds it behind rebuilds it from agentpipe_hourly.
CREATE TABLE IF NOT EXISTS agentpipe_daily (
    day TEXT NOT NULL,                   -- 'YYYY-MM-DD 00:00:00', UTC
    agent_name TEXT NOT NULL DEFAULT '',
    tool_name TEXT NOT NULL DEFAULT '',
    model_name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    calls INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
    cost_pico INTEGER NOT NULL DEFAULT 0,
    unpriced_calls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agent_name, tool_name, model_name, status)
) WITHOUT ROWID;

-- The same again without the time: one row for each agent, tool, model and
-- status, for budgets over all time. dated is 0 for the calls without a time,
-- 1 for the rest, whose first UTC day is first_day. It holds the calls with
-- id <= agentpipe_meta.total_id; a reader trusts it only while that equals
-- rollup_id (a recorder that does not know this table leaves it behind, and
-- the next one that does rebuilds it from agentpipe_daily).
CREATE TABLE IF NOT EXISTS agentpipe_total (
    agent_name TEXT NOT NULL DEFAULT '',
    tool_name TEXT NOT NULL DEFAULT '',
    model_name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    dated INTEGER NOT NULL DEFAULT 1,
    first_day TEXT,
    calls INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
    cost_pico INTEGER NOT NULL DEFAULT 0,
    unpriced_calls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_name, tool_name, model_name, status, dated)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS agentpipe_meta (
    key TEXT PRIMARY KEY,
    value
);
INSERT OR IGNORE INTO agentpipe_meta (key, value) VALUES ('rollup_id', 0);

INSERT OR IGNORE INTO schema_version (version, description)
VALUES ('1.0.0+agentpipe.1', 'agentpipe: task_id, cache tokens, exact cost_pico, hourly rollup');
INSERT OR IGNORE INTO schema_version (version, description)
VALUES ('1.0.0+agentpipe.2', 'agentpipe: total rollup');
