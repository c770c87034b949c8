-- wrk script: one API key per request from KEYS_FILE, drawn Zipf-like (s = 1) over the first
-- KEYS_COUNT keys, or uniformly when KEYS_DIST=uniform; counts statuses; prints JSON when done.
local keys = {}
local cdf = {}
local threads = {}

local function load()
  for line in io.lines(os.getenv("KEYS_FILE")) do
    if #keys >= tonumber(os.getenv("KEYS_COUNT")) then break end
    keys[#keys + 1] = line
  end
  local total = 0
  for i = 1, #keys do total = total + 1 / i end
  local acc = 0
  for i = 1, #keys do
    acc = acc + (1 / i) / total
    cdf[i] = acc
  end
end

local function zipf()
  local r = math.random()
  local lo, hi = 1, #cdf
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < r then lo = mid + 1 else hi = mid end
  end
  return keys[lo]
end

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  load()
  math.randomseed(os.time())
  statuses = {}
  uniform = os.getenv("KEYS_DIST") == "uniform"
end

function request()
  local key = uniform and keys[math.random(#keys)] or zipf()
  return wrk.format("GET", "/bench", { ["Authorization"] = "Bearer " .. key })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do counts[tostring(status)] = (counts[tostring(status)] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do parts[#parts + 1] = string.format('"%s":%d', status, n) end
  local e = summary.errors
  io.write(string.format('JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p99_us":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
