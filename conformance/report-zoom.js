/* Zoom on time, for the report's timeline (report-svg.c draws it).  Drag
 * across the timeline to see that stretch of the run; double-click or press
 * Escape to see it whole.  The address keeps the stretch (#t=FROM-TO, in
 * seconds), so a link opens the same view; typing one there zooms too.  Each lane's plot is a nested
 * svg of class "plot": narrowing its viewBox stretches time, not height. */
(function () {
    "use strict";
    var ns = "http://www.w3.org/2000/svg";

    /* a tick every 1, 2 or 5 times a power of ten seconds, about ten in all
     * (report-svg.c's tick_step) */
    function step(span) {
        var m = [1, 2, 5];
        for (var p = 1e-3; p < 1e9; p *= 10)
            for (var i = 0; i < m.length; i++)
                if (span / (m[i] * p) <= 12)
                    return m[i] * p;
        return 1e9;
    }

    function timeline(svg) {
        var left = +svg.dataset.left, width = +svg.dataset.width, end = +svg.dataset.end;
        var plots = svg.querySelectorAll("svg.plot"), axis = svg.querySelector("g.axis");
        var from = 0, to = end, start = null, sel = null;

        function x(clientX) { /* the pointer's x in the drawing's units */
            var p = svg.createSVGPoint();
            p.x = clientX;
            return p.matrixTransform(svg.getScreenCTM().inverse()).x;
        }
        function seconds(xv) {
            return from + (xv - left) / width * (to - from);
        }
        function ticks() { /* report-svg.c's draw_axis, for the stretch shown */
            axis.querySelectorAll("text, line.tick").forEach(function (t) { t.remove(); });
            var span = to - from, s = step(span), y0 = +axis.dataset.y - 16;
            for (var v = Math.ceil(from / s - 1e-9) * s; v <= to + 1e-9; v += s) {
                var x = (left + (v - from) / span * width).toFixed(1);
                var tick = document.createElementNS(ns, "line");
                tick.setAttribute("class", "tick");
                tick.setAttribute("x1", x);
                tick.setAttribute("x2", x);
                tick.setAttribute("y1", y0);
                tick.setAttribute("y2", y0 + 4);
                axis.appendChild(tick);
                var t = document.createElementNS(ns, "text");
                t.setAttribute("x", x);
                t.setAttribute("y", axis.dataset.y);
                t.textContent = +v.toFixed(6) + " s";
                axis.appendChild(t);
            }
        }
        function zoom(a, b, keep) {
            a = Math.max(0, a);
            b = Math.min(end, b);
            if (!(b - a > end * 1e-6)) { /* nothing left to see: the whole run */
                a = 0;
                b = end;
            }
            from = a;
            to = b;
            plots.forEach(function (p) {
                var v = p.viewBox.baseVal;
                p.setAttribute("viewBox", (left + a / end * width).toFixed(3) + " " + v.y + " " +
                               ((b - a) / end * width).toFixed(3) + " " + v.height);
            });
            svg.dataset.from = +a.toFixed(3);
            svg.dataset.to = +b.toFixed(3);
            ticks();
            if (!keep) {
                try { /* a file:// page may refuse; the view still changes */
                    history.replaceState(null, "", a > 0 || b < end
                        ? "#t=" + svg.dataset.from + "-" + svg.dataset.to : location.pathname);
                } catch (e) { /* ignored */ }
            }
        }

        svg.addEventListener("mousedown", function (e) {
            start = x(e.clientX);
            sel = document.createElementNS(ns, "rect");
            sel.setAttribute("class", "zoom-sel");
            sel.setAttribute("y", 0);
            sel.setAttribute("height", svg.viewBox.baseVal.height);
            svg.appendChild(sel);
            e.preventDefault();
        });
        svg.addEventListener("mousemove", function (e) {
            if (sel === null)
                return;
            var now = x(e.clientX);
            sel.setAttribute("x", Math.min(start, now));
            sel.setAttribute("width", Math.abs(now - start));
        });
        window.addEventListener("mouseup", function (e) {
            if (sel === null)
                return;
            var now = x(e.clientX);
            sel.remove();
            sel = null;
            if (Math.abs(now - start) >= 3)
                zoom(seconds(Math.min(start, now)), seconds(Math.max(start, now)));
        });
        svg.addEventListener("dblclick", function () { zoom(0, end); });
        document.addEventListener("keydown", function (e) {
            if (e.key === "Escape")
                zoom(0, end);
        });
        function fromAddress() { /* #t=FROM-TO, or the whole run */
            var m = /^#t=([0-9.]+)-([0-9.]+)$/.exec(location.hash);
            if (m)
                zoom(+m[1], +m[2], true);
            else if (from > 0 || to < end)
                zoom(0, end, true);
        }
        window.addEventListener("hashchange", fromAddress);
        fromAddress();
    }

    document.querySelectorAll("svg.timeline").forEach(timeline);
})();
