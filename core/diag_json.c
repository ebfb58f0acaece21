// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON forms of the diagnosis (documented in docs/json-diag.md). Strings
 * from the system go into json-c as they are; json-c escapes them.
 */
#include "config.h"

#include <json-c/json.h>

#include "vfioscope/diag.h"
#include "diag_priv.h"

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jname(const struct vs_device *dev)
{
	return dev ? json_object_new_string(dev->name) : NULL;
}

static struct json_object *jtri(enum vs_tristate t)
{
	return t == VS_UNKNOWN ? NULL : json_object_new_boolean(t == VS_YES);
}

static struct json_object *jdevs(const struct vs_device *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, jname(v[i]));
	return a;
}

static struct json_object *jstrv(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, jstr(v[i]));
	return a;
}

static struct json_object *jmissing(const struct vs_reason *r)
{
	struct json_object *a;

	switch (r->missing) {
	case VS_MISSING_NO_CAPABILITY:
		return json_object_new_string("no_capability");
	case VS_MISSING_FLAGS:
		a = json_object_new_array();
		if (!a)
			return NULL;
		for (unsigned bit = 0; bit < 7; bit++) {
			static const char *const names[] = { "SV", "TB", "RR", "CR", "UF", "EC", "DT" };

			if (r->missing_flags & (1u << bit))
				json_object_array_add(a, json_object_new_string(names[bit]));
		}
		return a;
	default:
		return NULL;
	}
}

static struct json_object *jhostcrit(const struct vs_hostcrit *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++) {
		struct json_object *o = json_object_new_object();

		if (!o)
			continue;
		json_object_object_add(o, "device", jname(v[i].device));
		json_object_object_add(o, "evidence", jstr(v[i].evidence));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *vs_explain_json(const struct vs_explain *ex)
{
	struct json_object *o = json_object_new_object(), *reasons, *remedies;

	if (!o)
		return NULL;
	json_object_object_add(o, "device", jname(ex->device));
	json_object_object_add(o, "group", ex->group ? json_object_new_int(ex->group->id) : NULL);
	json_object_object_add(o, "members", jdevs(ex->members, ex->n_members));
	json_object_object_add(o, "splittable", json_object_new_boolean(ex->splittable));
	json_object_object_add(o, "matches_kernel", jtri(ex->matches_kernel));
	json_object_object_add(o, "predicted_members", jdevs(ex->predicted, ex->n_predicted));

	reasons = json_object_new_array();
	for (size_t i = 0; reasons && i < ex->n_reasons; i++) {
		const struct vs_reason *r = &ex->reasons[i];
		struct json_object *ro = json_object_new_object();

		if (!ro)
			continue;
		json_object_object_add(ro, "device", jname(r->device));
		json_object_object_add(ro, "code", json_object_new_string(vs_reason_code_name(r->code)));
		json_object_object_add(ro, "culprit", jname(r->culprit));
		json_object_object_add(ro, "missing_acs", jmissing(r));
		json_object_object_add(ro, "text", jstr(r->text));
		json_object_object_add(ro, "inferred", json_object_new_boolean(r->inferred));
		if (r->code == VS_REASON_UNEXPLAINED)
			json_object_object_add(ro, "predicted_code",
					       json_object_new_string(vs_reason_code_name(r->predicted)));
		json_object_array_add(reasons, ro);
	}
	json_object_object_add(o, "reasons", reasons);
	json_object_object_add(o, "p2p_peers", jdevs(ex->p2p_peers, ex->n_p2p_peers));
	json_object_object_add(o, "host_critical", jhostcrit(ex->host_critical, ex->n_host_critical));

	remedies = json_object_new_array();
	for (size_t i = 0; remedies && i < ex->n_remedies; i++) {
		const struct vs_remedy *m = &ex->remedies[i];
		struct json_object *mo = json_object_new_object();

		if (!mo)
			continue;
		json_object_object_add(mo, "kind", json_object_new_string(vs_remedy_kind_name(m->kind)));
		json_object_object_add(mo, "safe", json_object_new_boolean(m->safe));
		json_object_object_add(mo, "param", jstr(m->param));
		json_object_object_add(mo, "text", jstr(m->text));
		json_object_array_add(remedies, mo);
	}
	json_object_object_add(o, "remedies", remedies);
	json_object_object_add(o, "unknown", jstrv(ex->unknown, ex->n_unknown));
	json_object_object_add(o, "notes", jstrv(ex->notes, ex->n_notes));
	json_object_object_add(o, "findings", vs_arm_findings_json(&ex->findings));
	json_object_object_add(o, "rules_kernel", json_object_new_string(VS_QUIRKS_KERNEL_VERSION));
	return o;
}

struct json_object *vs_selection_json(const struct vs_selection *sel)
{
	struct json_object *o = json_object_new_object(), *members, *along, *hc, *groups, *ex;

	if (!o)
		return NULL;
	json_object_object_add(o, "selection", jdevs(sel->selected, sel->n_selected));
	json_object_object_add(o, "safe", json_object_new_boolean(sel->safe));

	groups = json_object_new_array();
	members = json_object_new_array();
	along = json_object_new_array();
	hc = json_object_new_array();
	for (size_t i = 0; members && i < sel->n_members; i++) {
		const struct vs_selection_member *m = &sel->members[i];
		struct json_object *mo = json_object_new_object();
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			if (sel->members[k].group == m->group)
				seen = true;
		if (!seen && m->group >= 0 && groups)
			json_object_array_add(groups, json_object_new_int(m->group));
		if (!mo)
			continue;
		json_object_object_add(mo, "device", jname(m->device));
		json_object_object_add(mo, "group", m->group >= 0 ? json_object_new_int(m->group) : NULL);
		json_object_object_add(mo, "action", json_object_new_string(vs_member_action_name(m->action)));
		json_object_object_add(mo, "driver", jstr(m->device->driver));
		json_object_object_add(mo, "evidence", jstr(m->evidence));
		json_object_object_add(mo, "text", jstr(m->text));
		json_object_array_add(members, mo);
		if (m->action == VS_ACTION_UNBIND && along)
			json_object_array_add(along, jname(m->device));
		if (m->evidence && hc) {
			struct json_object *h = json_object_new_object();

			if (h) {
				json_object_object_add(h, "device", jname(m->device));
				json_object_object_add(h, "evidence", jstr(m->evidence));
				json_object_array_add(hc, h);
			}
		}
	}
	json_object_object_add(o, "groups", groups);
	json_object_object_add(o, "members", members);
	json_object_object_add(o, "must_come_along", along);
	json_object_object_add(o, "host_critical", hc);
	json_object_object_add(o, "warnings", jstrv(sel->warnings, sel->n_warnings));
	ex = json_object_new_array();
	for (size_t i = 0; ex && i < sel->n_explains; i++)
		json_object_array_add(ex, vs_explain_json(sel->explains[i]));
	json_object_object_add(o, "devices", ex);
	json_object_object_add(o, "findings", vs_arm_findings_json(&sel->findings));
	return o;
}

struct json_object *vs_doctor_json(const struct vs_doctor *doc)
{
	struct json_object *o = json_object_new_object(), *checks;

	if (!o)
		return NULL;
	checks = json_object_new_array();
	for (size_t i = 0; checks && i < doc->n_checks; i++) {
		const struct vs_check *c = &doc->checks[i];
		struct json_object *co = json_object_new_object();

		if (!co)
			continue;
		json_object_object_add(co, "id", jstr(c->id));
		json_object_object_add(co, "status", json_object_new_string(vs_check_status_name(c->status)));
		json_object_object_add(co, "summary", jstr(c->summary));
		json_object_object_add(co, "fix", jstr(c->fix));
		json_object_array_add(checks, co);
	}
	json_object_object_add(o, "checks", checks);
	json_object_object_add(o, "ok", json_object_new_int((int)(doc->n_checks - doc->n_warn - doc->n_fail)));
	json_object_object_add(o, "warn", json_object_new_int((int)doc->n_warn));
	json_object_object_add(o, "fail", json_object_new_int((int)doc->n_fail));
	return o;
}
