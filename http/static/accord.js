// Accord: the little the pages need beyond HTML. Every page works without
// it. No inline script anywhere (the Content-Security-Policy forbids it).
(function () {
	"use strict";
	// Confirm destructive actions: <form data-confirm="message">.
	document.addEventListener("submit", function (e) {
		var f = e.target;
		var msg = f.getAttribute && f.getAttribute("data-confirm");
		if (msg && !window.confirm(msg)) { e.preventDefault(); return; }
		// One submission per form: disable its buttons until the page changes.
		if (!e.defaultPrevented && !f.hasAttribute("hx-post")) {
			f.querySelectorAll("button[type=submit]").forEach(function (b) {
				setTimeout(function () { b.disabled = true; }, 0);
			});
		}
	});
	// Print buttons: <button data-print>.
	document.addEventListener("click", function (e) {
		var b = e.target.closest && e.target.closest("[data-print]");
		if (b) { e.preventDefault(); window.print(); }
	});
	// Show the parts of a form that apply: <div data-show-when="name=value">.
	function toggle(form) {
		form.querySelectorAll("[data-show-when]").forEach(function (el) {
			var rule = el.getAttribute("data-show-when").split("=");
			var field = form.elements[rule[0]];
			if (!field) { return; }
			var value = field.value;
			if (field instanceof RadioNodeList) { value = field.value; }
			else if (field.type === "checkbox") { value = field.checked ? field.value : ""; }
			el.hidden = value !== rule[1];
		});
	}
	document.addEventListener("change", function (e) { if (e.target.form) { toggle(e.target.form); } });
	// Idle sign-out: the server ends a session after a period without use;
	// reload then, so an unattended screen stops showing a client's data.
	var idleTimer;
	function armIdle() {
		var secs = parseInt(document.body.getAttribute("data-idle") || "0", 10);
		if (!secs) { return; }
		clearTimeout(idleTimer);
		idleTimer = setTimeout(function () { window.location.reload(); }, (secs + 5) * 1000);
	}
	document.addEventListener("htmx:afterRequest", armIdle);
	document.addEventListener("DOMContentLoaded", function () {
		armIdle();
		document.querySelectorAll("form").forEach(toggle);
		// Move focus to the error summary so screen readers announce it.
		var summary = document.querySelector(".error-summary");
		if (summary) { summary.focus(); }
	});
})();
