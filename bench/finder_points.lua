-- wrk script for bench/load.rs: every request asks the finder API from a
-- new random point in the Netherlands' bounding box, so that no answer the
-- server keeps (src/http/web/kept.rs) can be sent again: the finder's own
-- work on every request.
math.randomseed(13)

request = function()
  local lat = 50.75 + math.random() * 2.8
  local lon = 3.36 + math.random() * 3.87
  return wrk.format("GET", string.format("/api/v1/finder?lat=%.5f&lon=%.5f", lat, lon))
end
