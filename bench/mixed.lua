-- wrk script for bench/load.rs: a mixed load, one write for every twenty
-- reads. Reads go round the public finder API (from a new random point),
-- the finder's results page, Table 1 and the national dashboard; of every
-- four writes three are desk tallies (POST /api/v1/tallies, a new id each:
-- the everyday write) and one changes a facility's telephone number (PATCH
-- /api/v1/facilities/ID, which every kept answer and the finder's list
-- follow),
-- with the admin token in VANGNET_BENCH_TOKEN, on the facilities listed in
-- VANGNET_BENCH_FACILITIES (ids of consumption rooms, comma-separated).
math.randomseed(21)

local token = os.getenv("VANGNET_BENCH_TOKEN")
local facilities = {}
for id in string.gmatch(os.getenv("VANGNET_BENCH_FACILITIES") or "", "[^,]+") do
  facilities[#facilities + 1] = id
end
local reads = {
  function()
    local lat = 50.75 + math.random() * 2.8
    local lon = 3.36 + math.random() * 3.87
    return wrk.format("GET", string.format("/api/v1/finder?lat=%.5f&lon=%.5f", lat, lon))
  end,
  function() return wrk.format("GET", "/zoeken?q=Utrecht") end,
  function() return wrk.format("GET", "/api/v1/reports/table1") end,
  function() return wrk.format("GET", "/cijfers/dashboard?formaat=json") end,
}
local n = 0
local writes = 0
local thread_tag = tostring(math.random(1, 1000000000))

request = function()
  n = n + 1
  if n % 21 ~= 0 then
    return reads[(n % #reads) + 1]()
  end
  writes = writes + 1
  local facility = facilities[(writes % #facilities) + 1]
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  if writes % 4 ~= 0 then
    local body = string.format(
      '{"tallies":[{"id":"bench-%s-%d","facility_id":%s,"at":"%s","metric":"visits","amount":1}]}',
      thread_tag, writes, facility, os.date("!%Y-%m-%dT%H:%M:%SZ"))
    return wrk.format("POST", "/api/v1/tallies", headers, body)
  end
  local body = string.format('{"phone":"030 %03d %04d"}', writes % 1000, writes % 10000)
  return wrk.format("PATCH", "/api/v1/facilities/" .. facility, headers, body)
end
