-- wrk script: one API key per request from KEYS_FILE, drawn Zipf-like (s = 1) over the first
-- KEYS_COUNT keys, uniformly when KEYS_DIST=uniform, or each in turn when KEYS_DIST=cycle (priming a
-- cache with every key of the set). Statuses and the JSON line: report.lua.
dofile("bench/lua/report.lua")
local keys = {}
local cdf = {}

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

function init(args)
  load()
  math.randomseed(os.time())
  statuses = {}
  uniform = os.getenv("KEYS_DIST") == "uniform"
  cycle = os.getenv("KEYS_DIST") == "cycle"
  turn = 0
end

function request()
  local key
  if cycle then
    turn = turn % #keys + 1
    key = keys[turn]
  else
    key = uniform and keys[math.random(#keys)] or zipf()
  end
  return wrk.format("GET", "/bench", { ["Authorization"] = "Bearer " .. key })
end
