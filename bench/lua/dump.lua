-- wrk script for bench/profile.mjs DUMP=1: prints the first two answers that are not 200.
local printed = 0
function request() return wrk.format("GET", "/bench", { ["Authorization"] = "Bearer " .. os.getenv("K") }) end
function response(status, headers, body)
  if status ~= 200 and printed < 2 then printed = printed + 1; io.write("STATUS ", status, " ", body or "", "\n") end
end
