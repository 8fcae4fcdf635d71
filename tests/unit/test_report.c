// SPDX-License-Identifier: GPL-2.0
/*
 * The run report's renderer (cli/report.c) on a hand-built run: one grid
 * cell per (model, stage), one chart per page, runs with the same history
 * of a page drawn as one line, violations and KVM's references marked on
 * the page they concern, every text escaped, in both formats.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit_helpers.h"

#include <stdlib.h>

#include "report.h"

/*
 * Two models x two stages, two pages (blob+0 refcounted, blob+1 a
 * refcount-0 tail), three operation lines: alloc (line 3), fault on
 * blob+0 (line 5), fault on blob+1 (line 7).  Stage "new" maps the tail
 * page; on model "b" at stage "new" the tail fault also raises I5 on it
 * and the run fails.
 */
struct fixture {
	struct report_page pg[4][3][2];
	struct report_step st[4][3];
	struct report_run run[4];
	struct report_viol viol;
	struct report r;
};

static const char *const models[] = { "a", "b" };
static const char *const stages[] = { "old", "new" };
static const char *const pages[] = { "blob+0", "blob+1" };
static const char *const text[] = {
	"alloc blob order=1", "fault gfn=0x10 write", "fault gfn=0x11 <write>",
};

static void fixture_init(struct fixture *fx, const char *path)
{
	unsigned int run, i, p;

	memset(fx, 0, sizeof(*fx));
	fx->viol = (struct report_viol){
		.id = 5, .pfn = 0x101, .msg = "KVM holds <1> & \"more\"",
	};
	for (run = 0; run < 4; run++) {
		bool new = run % 2, b = run / 2;

		for (i = 0; i < 3; i++) {
			struct report_step *s = &fx->st[run][i];

			for (p = 0; p < 2; p++) {
				struct report_page *pg = &fx->pg[run][i][p];

				pg->present = true;
				pg->pfn = 0x100 + p;
				pg->refcount = p ? 0 : 1;
			}
			s->line = 3 + 2 * i;
			s->op = i ? "fault" : "alloc";
			s->text = text[i];
			s->page = fx->pg[run][i];
		}
		/* line 5: page 0 maps, KVM took and dropped one reference */
		fx->st[run][1].gets = 1;
		fx->st[run][1].puts = 1;
		fx->st[run][1].has_pfn = true;
		fx->st[run][1].pfn = 0x100;
		fx->pg[run][1][0].mapped = true;
		fx->pg[run][2][0].mapped = true;
		/* line 7: the tail maps at "new", EFAULT at "old" */
		if (new) {
			fx->st[run][2].has_pfn = true;
			fx->st[run][2].pfn = 0x101;
			fx->pg[run][2][1].mapped = true;
		} else {
			fx->st[run][2].result = -KVMPFN_EFAULT;
		}
		if (new && b) {
			fx->st[run][2].nviol = 1;
			fx->st[run][2].viol = &fx->viol;
			fx->pg[run][2][1].kvm_refs = 1;
			fx->run[run].violations = 1;
			fx->run[run].rc = 1;
		}
		fx->run[run].ran = true;
		fx->run[run].faults_mapped = new ? 2 : 1;
		fx->run[run].faults_failed = new ? 0 : 1;
		fx->run[run].gets = 1;
		fx->run[run].puts = 1;
		fx->run[run].nsteps = 3;
		fx->run[run].step = fx->st[run];
	}
	fx->r = (struct report){
		.path = path,
		.nmodels = 2, .model = models, .nstages = 2, .stage = stages,
		.run = fx->run, .npages = 2, .page = pages,
	};
}

/* the report as a string (caller frees) */
static char *render(const struct report *r, enum report_format fmt)
{
	FILE *f = tmpfile();
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(report_write(r, fmt, f), 0);
	n = ftell(f);
	assert_true(n > 0);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* the text of chart @p up to the next chart */
static char *chart_of(const char *doc, unsigned int p)
{
	char id[32], *start, *end, *s;

	snprintf(id, sizeof(id), "id=\"chart-%u\"", p);
	start = strstr(doc, id);
	assert_non_null(start);
	end = strstr(start + 1, "id=\"chart-");
	s = strndup(start, end ? (size_t)(end - start) : strlen(start));
	assert_non_null(s);
	return s;
}

static void test_grid_and_charts(void **state)
{
	struct fixture fx;
	char *html, *c0, *c1;

	(void)state;
	fixture_init(&fx, "blob.scn");
	html = render(&fx.r, REPORT_HTML);
	/* one cell per run, each with its id, and the verdicts */
	assert_int_equal(count(html, "class=\"cell "), 4);
	assert_non_null(strstr(html, "id=\"cell-a-old\""));
	assert_non_null(strstr(html, "id=\"cell-b-new\""));
	assert_int_equal(count(html, "class=\"cell fail\""), 1);
	assert_int_equal(count(html, "class=\"cell ok\""), 3);
	assert_non_null(strstr(html, ">FAIL: I5<"));
	assert_non_null(strstr(html, "1 / 1</span> <span class=\"refs\">+1 &#8722;1"));
	/* one chart per page */
	assert_int_equal(count(html, "<figure class=\"chart\""), 2);
	c0 = chart_of(html, 0);
	c1 = chart_of(html, 1);
	/* blob+0 has the same history everywhere: one line, four runs */
	assert_non_null(strstr(c0, "1 line for 4 runs"));
	assert_non_null(strstr(c0, ">a, b: all stages<"));
	assert_int_equal(count(c0, "class=\"rc\""), 1);
	/* KVM's reference on blob+0 is marked there, not on blob+1 */
	assert_int_equal(count(c0, "class=\"kvmmark\""), 1);
	assert_int_equal(count(c1, "class=\"kvmmark\""), 0);
	/* blob+1: unmapped at "old", mapped at "new", and b at "new" raised I5 */
	assert_non_null(strstr(c1, "3 lines for 4 runs"));
	assert_non_null(strstr(c1, ">a, b: old<"));
	assert_non_null(strstr(c1, ">a: new<"));
	assert_non_null(strstr(c1, ">b: new<"));
	assert_int_equal(count(c1, "class=\"violation\""), 1);
	assert_non_null(strstr(c1, "I5<"));
	assert_null(strstr(c0, "class=\"violation\""));
	/* KVM's held reference: the dashed line, only where it is */
	assert_int_equal(count(c1, "class=\"kvmrefs\""), 3);
	assert_null(strstr(c0, "class=\"kvmrefs\""));
	/* the failing line is marked in words, not colour alone */
	assert_non_null(strstr(c1, "L7 \xe2\x9c\x97<"));
	assert_non_null(strstr(c1, "(failed in 2 of 4 runs)"));
	assert_null(strstr(c1, "L5 \xe2\x9c\x97"));
	/* mapped lanes: blob+0 from line 5 on; blob+1 at line 7 on two lines */
	assert_int_equal(count(c0, "class=\"lane\""), 2);
	assert_int_equal(count(c1, "class=\"lane\""), 2);
	free(c0);
	free(c1);
	free(html);
}

static void test_escaping(void **state)
{
	static const char *const formats[] = { "html", "svg" };
	struct fixture fx;
	unsigned int f;

	(void)state;
	fixture_init(&fx, "we<i>rd&\"'.scn");
	for (f = 0; f < 2; f++) {
		char *doc = render(&fx.r, f ? REPORT_SVG : REPORT_HTML);

		print_message("%s\n", formats[f]);
		assert_null(strstr(doc, "we<i>rd"));
		assert_non_null(strstr(doc, "we&lt;i&gt;rd&amp;&quot;&#39;.scn"));
		/* the source line in the tooltip */
		assert_null(strstr(doc, "<write>"));
		assert_non_null(strstr(doc, "fault gfn=0x11 &lt;write&gt;"));
		if (!f) {
			/* the violation's message, in the table */
			assert_null(strstr(doc, "<1>"));
			assert_non_null(strstr(doc, "KVM holds &lt;1&gt; &amp; &quot;more&quot;"));
		}
		free(doc);
	}
}

static void test_svg(void **state)
{
	struct fixture fx;
	char *svg;

	(void)state;
	fixture_init(&fx, "blob.scn");
	svg = render(&fx.r, REPORT_SVG);
	assert_true(!strncmp(svg, "<?xml", 5));
	assert_int_equal(count(svg, "<svg "), 1);
	assert_int_equal(count(svg, "</svg>"), 1);
	assert_int_equal(count(svg, "class=\"cell "), 4);
	assert_int_equal(count(svg, "<g class=\"chart\""), 2);
	/* no HTML inside */
	assert_null(strstr(svg, "<figure"));
	assert_null(strstr(svg, "<br>"));
	free(svg);
}

static void test_not_run_and_no_pages(void **state)
{
	struct fixture fx;
	char *html;

	(void)state;
	fixture_init(&fx, "blob.scn");
	fx.run[3].ran = false;
	fx.r.npages = 0;
	html = render(&fx.r, REPORT_HTML);
	assert_int_equal(count(html, "class=\"cell norun\""), 1);
	assert_non_null(strstr(html, ">not run<"));
	assert_int_equal(count(html, "<figure class=\"chart\""), 0);
	assert_non_null(strstr(html, "names no allocation"));
	free(html);
}

static void test_format_of(void **state)
{
	(void)state;
	assert_int_equal(report_format_of("out.html"), REPORT_HTML);
	assert_int_equal(report_format_of("d/out.htm"), REPORT_HTML);
	assert_int_equal(report_format_of("out.svg"), REPORT_SVG);
	assert_int_equal(report_format_of("out.png"), -1);
	assert_int_equal(report_format_of("html"), -1);
	assert_int_equal(report_format_of(".svg"), -1);
}

/*
 * KVMPFN_REPORT_DUMP=DIR writes the fixture's report to DIR/fixture.html
 * and .svg, to look at.
 */
static void dump(void)
{
	const char *dir = getenv("KVMPFN_REPORT_DUMP");
	struct fixture fx;
	char path[512];
	int f;

	if (!dir)
		return;
	fixture_init(&fx, "blob.scn");
	for (f = 0; f < 2; f++) {
		FILE *out;

		snprintf(path, sizeof(path), "%s/fixture.%s", dir,
			 f ? "svg" : "html");
		out = fopen(path, "w");
		if (out) {
			report_write(&fx.r, f ? REPORT_SVG : REPORT_HTML, out);
			fclose(out);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid_and_charts),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_not_run_and_no_pages),
		cmocka_unit_test(test_format_of),
	};

	dump();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
