-- POST of the JSON in $WRK_BODY to the URL given to wrk.
dofile("bench/wrk/report.lua")
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/json"
