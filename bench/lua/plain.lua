-- wrk script for configurations without keys (A, B0, B1).
dofile("bench/lua/report.lua")
function init(args) statuses = {} end
function request() return wrk.format("GET", "/bench") end
