-- wrk script for bench/serve_load.sh: POST the PNG named by $QUERY_PNG to /v1/search.
wrk.method = "POST"
wrk.path = "/v1/search?k=" .. (os.getenv("K") or "10")
wrk.headers["Content-Type"] = "image/png"
local f = assert(io.open(os.getenv("QUERY_PNG"), "rb"))
wrk.body = f:read("*a")
f:close()
