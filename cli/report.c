// SPDX-License-Identifier: GPL-2.0
/*
 * The run report: a models x stages grid of outcomes and one refcount
 * chart per page, as self-contained HTML (inline CSS and SVG, nothing
 * fetched) or as one SVG.
 *
 * A chart draws the page's refcount after each operation line.  Runs whose
 * history of the page is the same (refcount, KVM's references, mapped or
 * not, the references KVM took and dropped on it, the violations raised on
 * it) share one line, labelled with the runs it stands for, so that 27
 * runs of the blob example give two or three lines a page, not 27.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* chart geometry, in pixels */
#define CH_LEFT		64	/* y axis labels */
#define CH_COL		70	/* one operation line */
/* above the plot: the title, KVM's references a row each, violations */
#define CH_MARK0	36
#define CH_MARK		12
#define CH_VIOL		20
#define CH_UNIT		34	/* one reference */
#define CH_XLAB		52	/* line, operation and argument under the axis */
#define CH_MINW		480	/* room for the legend's notes */
#define CH_LEG		16	/* one legend row */
#define CH_OFFSET	3	/* lines that coincide are drawn this far apart */
#define CH_LANE		6	/* a line's "mapped" lane under the plot */

/* Okabe-Ito: told apart with the common colour-vision deficiencies */
static const char *const palette[] = {
	"#0072b2", "#e69f00", "#009e73", "#cc79a7",
	"#56b4e9", "#d55e00", "#000000", "#999999",
};
#define NR_PALETTE	(sizeof(palette) / sizeof(palette[0]))

/* invariant ids the grid names (the catalogue has 21) */
#define KVMPFN_REPORT_MAX_INV	63

struct col {
	unsigned int line;
	const char *op;
	const char *text;
	unsigned int nok, nerr;	/* runs where the line succeeded / failed */
};

struct ctx {
	const struct report *r;
	FILE *f;
	enum report_format fmt;
	unsigned int nruns;
	unsigned int ncols;
	struct col *col;
	int *colstep;		/* [run * ncols + col]: step index, or -1 */
	unsigned int *variant;	/* [run]: the line a run is drawn as */
};

/* Text into HTML or XML: every character markup could take is escaped. */
static void esc(FILE *f, const char *s)
{
	static const char *const entity[128] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
		['"'] = "&quot;", ['\''] = "&#39;",
	};

	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 128 && entity[ch])
			fputs(entity[ch], f);
		else if (ch < 0x20 && ch != '\t')
			/* control characters are not allowed in XML 1.0 */
			fputc('?', f);
		else
			fputc(ch, f);
	}
}

int report_format_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 5 && !strcmp(path + n - 5, ".html"))
		return REPORT_HTML;
	if (n > 4 && !strcmp(path + n - 4, ".htm"))
		return REPORT_HTML;
	if (n > 4 && !strcmp(path + n - 4, ".svg"))
		return REPORT_SVG;
	return -1;
}

static const struct report_step *col_step(const struct ctx *c,
					  unsigned int run, unsigned int col)
{
	int i = c->colstep[run * c->ncols + col];

	return i < 0 ? NULL : &c->r->run[run].step[i];
}

/* page @p after the step of column @col of @run; NULL: no step, no page */
static const struct report_page *page_at(const struct ctx *c,
					 unsigned int run, unsigned int col,
					 unsigned int p)
{
	const struct report_step *s = col_step(c, run, col);

	return s && s->page[p].present ? &s->page[p] : NULL;
}

/*
 * The page's state at column @col of @run: the step of that line, or the
 * last one before it if the run skipped the line; NULL before any step.
 */
static const struct report_step *state_at(const struct ctx *c,
					  unsigned int run, unsigned int col)
{
	const struct report_step *s;

	for (;;) {
		s = col_step(c, run, col);
		if (s || !col)
			return s;
		col--;
	}
}

/*
 * Whether the references KVM took and dropped in step @s were on page @p:
 * the fault mapped it, or (for steps that map nothing) KVM's count on it
 * changed.
 */
static bool refs_on_page(const struct report_run *run,
			 const struct report_step *s, unsigned int p)
{
	const struct report_page *pg = &s->page[p];
	const struct report_step *prev = s > run->step ? s - 1 : NULL;

	if (!pg->present || (!s->gets && !s->puts))
		return false;
	if (s->has_pfn)
		return s->pfn == pg->pfn;
	return prev && prev->page[p].present &&
	       prev->page[p].kvm_refs != pg->kvm_refs;
}

static bool viol_on_page(const struct report_step *s,
			 const struct report_viol *v, unsigned int p)
{
	return s->page[p].present && v->pfn == s->page[p].pfn;
}

/* Do runs @a and @b tell the same story of page @p? */
static bool same_history(const struct ctx *c, unsigned int a, unsigned int b,
			 unsigned int p)
{
	const struct report_run *ra = &c->r->run[a], *rb = &c->r->run[b];
	unsigned int col, i;

	for (col = 0; col < c->ncols; col++) {
		const struct report_step *sa = col_step(c, a, col);
		const struct report_step *sb = col_step(c, b, col);
		const struct report_page *x, *y;
		bool ma, mb;

		if (!sa != !sb)
			return false;
		if (!sa)
			continue;
		x = &sa->page[p];
		y = &sb->page[p];
		if (x->present != y->present)
			return false;
		if (x->present && (x->refcount != y->refcount ||
				   x->kvm_refs != y->kvm_refs ||
				   x->mapped != y->mapped))
			return false;
		ma = refs_on_page(ra, sa, p);
		mb = refs_on_page(rb, sb, p);
		if (ma != mb || (ma && (sa->gets != sb->gets ||
					sa->puts != sb->puts)))
			return false;
		/* the violations raised on the page, in order */
		{
			unsigned int j = 0;

			for (i = 0; i < sa->nviol; i++) {
				if (!viol_on_page(sa, &sa->viol[i], p))
					continue;
				while (j < sb->nviol &&
				       !viol_on_page(sb, &sb->viol[j], p))
					j++;
				if (j == sb->nviol ||
				    sb->viol[j].id != sa->viol[i].id)
					return false;
				j++;
			}
			while (j < sb->nviol &&
			       !viol_on_page(sb, &sb->viol[j], p))
				j++;
			if (j < sb->nviol)
				return false;
		}
	}
	return true;
}

/* Group the runs into lines for page @p; returns how many lines. */
static unsigned int group_runs(struct ctx *c, unsigned int p,
			       unsigned int *first)
{
	unsigned int n = 0, run, v;

	for (run = 0; run < c->nruns; run++) {
		c->variant[run] = ~0U;
		if (!c->r->run[run].ran)
			continue;
		for (v = 0; v < n; v++)
			if (same_history(c, first[v], run, p))
				break;
		if (v == n)
			first[n++] = run;
		c->variant[run] = v;
	}
	return n;
}

/* "x86: legacy–v7.4; arm64, ppc: all stages" for the runs of line @v */
static void runs_label(const struct ctx *c, unsigned int v)
{
	const struct report *r = c->r;
	unsigned int m, m2, s, done = 0;
	bool sep = false;

	for (m = 0; m < r->nmodels; m++) {
		bool in[64] = { 0 }, any = false, all = true, msep = false;

		if (done & (1U << m))
			continue;
		for (s = 0; s < r->nstages && s < 64; s++) {
			in[s] = c->variant[m * r->nstages + s] == v;
			any |= in[s];
			all &= in[s];
		}
		if (!any)
			continue;
		fputs(sep ? "; " : "", c->f);
		sep = true;
		/* the models with the same stages in the line, together */
		for (m2 = m; m2 < r->nmodels && m2 < 32; m2++) {
			for (s = 0; s < r->nstages && s < 64; s++)
				if ((c->variant[m2 * r->nstages + s] == v) !=
				    in[s])
					break;
			if (s < r->nstages && s < 64)
				continue;
			done |= 1U << m2;
			fputs(msep ? ", " : "", c->f);
			esc(c->f, r->model[m2]);
			msep = true;
		}
		fputs(": ", c->f);
		if (all && r->nstages > 1) {
			fputs("all stages", c->f);
			continue;
		}
		msep = false;
		for (s = 0; s < r->nstages; s++) {
			unsigned int e = s;

			if (!in[s])
				continue;
			while (e + 1 < r->nstages && in[e + 1])
				e++;
			fputs(msep ? ", " : "", c->f);
			esc(c->f, r->stage[s]);
			if (e > s) {
				fputs("\xe2\x80\x93", c->f);	/* en dash */
				esc(c->f, r->stage[e]);
			}
			msep = true;
			s = e;
		}
	}
}

/* the columns: every operation line any run ran, in line order */
static int build_cols(struct ctx *c)
{
	const struct report *r = c->r;
	unsigned int run, i, k;

	c->nruns = r->nmodels * r->nstages;
	for (run = 0; run < c->nruns; run++)
		for (i = 0; i < r->run[run].nsteps; i++) {
			const struct report_step *s = &r->run[run].step[i];

			for (k = 0; k < c->ncols && c->col[k].line != s->line;
			     k++)
				;
			if (k == c->ncols) {
				struct col *nc = realloc(c->col, (c->ncols + 1) *
							 sizeof(*nc));

				if (!nc)
					return -1;
				c->col = nc;
				/* insertion keeps the columns in line order */
				while (k && c->col[k - 1].line > s->line) {
					c->col[k] = c->col[k - 1];
					k--;
				}
				c->col[k] = (struct col){ .line = s->line,
							  .op = s->op,
							  .text = s->text };
				c->ncols++;
			}
		}
	c->colstep = malloc((c->nruns * c->ncols + 1) * sizeof(int));
	c->variant = malloc((c->nruns + 1) * sizeof(unsigned int));
	if (!c->colstep || !c->variant)
		return -1;
	for (i = 0; i < c->nruns * c->ncols; i++)
		c->colstep[i] = -1;
	for (run = 0; run < c->nruns; run++)
		for (i = 0; i < r->run[run].nsteps; i++) {
			const struct report_step *s = &r->run[run].step[i];

			for (k = 0; c->col[k].line != s->line; k++)
				;
			c->colstep[run * c->ncols + k] = (int)i;
			if (s->result < 0)
				c->col[k].nerr++;
			else
				c->col[k].nok++;
		}
	return 0;
}

/* ---- the grid ---------------------------------------------------------- */

static const char *cell_class(const struct report_run *run)
{
	if (!run->ran || run->rc > 1)
		return "norun";
	if (run->rc)
		return "fail";
	return run->violations ? "viol" : "ok";
}

/* "FAIL: I5 I2", "ok, violated I3", "ok", "not run" */
static void cell_status(FILE *f, const struct report_run *run)
{
	bool seen[KVMPFN_REPORT_MAX_INV + 1] = { 0 }, any = false;
	unsigned int i, j;

	if (!run->ran || run->rc > 1) {
		fputs(run->ran ? "bad input" : "not run", f);
		return;
	}
	fputs(run->rc ? "FAIL" : "ok", f);
	for (i = 0; i < run->nsteps; i++)
		for (j = 0; j < run->step[i].nviol; j++) {
			int id = run->step[i].viol[j].id;

			if (id < 0 || id > KVMPFN_REPORT_MAX_INV || seen[id])
				continue;
			seen[id] = true;
			fputs(any ? " " : run->rc ? ": " : ", violated ", f);
			any = true;
			if (id)
				fprintf(f, "I%d", id);
			else
				fputs("WARN", f);
		}
}

static void html_grid(struct ctx *c)
{
	const struct report *r = c->r;
	unsigned int m, s;

	fputs("<table class=\"grid\"><thead><tr><th>model \\ stage</th>", c->f);
	for (s = 0; s < r->nstages; s++) {
		fputs("<th>", c->f);
		esc(c->f, r->stage[s]);
		fputs("</th>", c->f);
	}
	fputs("</tr></thead><tbody>\n", c->f);
	for (m = 0; m < r->nmodels; m++) {
		fputs("<tr><th>", c->f);
		esc(c->f, r->model[m]);
		fputs("</th>", c->f);
		for (s = 0; s < r->nstages; s++) {
			const struct report_run *run = &r->run[m * r->nstages + s];

			fprintf(c->f, "<td class=\"cell %s\" id=\"cell-",
				cell_class(run));
			esc(c->f, r->model[m]);
			fputc('-', c->f);
			esc(c->f, r->stage[s]);
			fputs("\">", c->f);
			if (run->ran)
				fprintf(c->f, "<span class=\"mf\">%u / %u</span> <span class=\"refs\">+%u &#8722;%u</span><br>",
					run->faults_mapped, run->faults_failed,
					run->gets, run->puts);
			fputs("<span class=\"st\">", c->f);
			cell_status(c->f, run);
			fputs("</span></td>", c->f);
		}
		fputs("</tr>\n", c->f);
	}
	fputs("</tbody></table>\n", c->f);
}

static const char *cell_fill(const struct report_run *run)
{
	const char *k = cell_class(run);

	if (!strcmp(k, "ok"))
		return "#e3f4e3";
	if (!strcmp(k, "fail"))
		return "#f9d0cc";
	if (!strcmp(k, "viol"))
		return "#fbe6b8";
	return "#eeeeee";
}

#define GRID_HEAD	80	/* model column */
#define GRID_W		104
#define GRID_H		44

/* the grid as SVG at (x, y); returns its height */
static int svg_grid(struct ctx *c, int x, int y)
{
	const struct report *r = c->r;
	unsigned int m, s;

	fprintf(c->f, "<g class=\"grid\" transform=\"translate(%d,%d)\">\n", x, y);
	fprintf(c->f, "<text x=\"0\" y=\"14\" class=\"hd\">model</text>\n");
	for (s = 0; s < r->nstages; s++) {
		fprintf(c->f, "<text x=\"%u\" y=\"14\" class=\"hd\">",
			GRID_HEAD + s * GRID_W + 4);
		esc(c->f, r->stage[s]);
		fputs("</text>\n", c->f);
	}
	for (m = 0; m < r->nmodels; m++) {
		unsigned int yy = 22 + m * GRID_H;

		fprintf(c->f, "<text x=\"0\" y=\"%u\" class=\"hd\">", yy + 26);
		esc(c->f, r->model[m]);
		fputs("</text>\n", c->f);
		for (s = 0; s < r->nstages; s++) {
			const struct report_run *run = &r->run[m * r->nstages + s];
			unsigned int xx = GRID_HEAD + s * GRID_W;

			fprintf(c->f, "<g class=\"cell %s\" id=\"cell-",
				cell_class(run));
			esc(c->f, r->model[m]);
			fputc('-', c->f);
			esc(c->f, r->stage[s]);
			fprintf(c->f, "\"><rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\" stroke=\"#fff\"/>",
				xx, yy, GRID_W, GRID_H, cell_fill(run));
			if (run->ran)
				fprintf(c->f, "<text x=\"%u\" y=\"%u\">%u / %u  +%u &#8722;%u</text>",
					xx + 4, yy + 17, run->faults_mapped,
					run->faults_failed, run->gets,
					run->puts);
			fprintf(c->f, "<text x=\"%u\" y=\"%u\" class=\"st\">",
				xx + 4, yy + 35);
			cell_status(c->f, run);
			fputs("</text></g>\n", c->f);
		}
	}
	fputs("</g>\n", c->f);
	return 22 + (int)r->nmodels * GRID_H;
}

/* ---- the charts -------------------------------------------------------- */

struct chart {
	unsigned int p;
	unsigned int nlines;
	unsigned int *first;	/* a run of each line */
	int top;		/* the y axis goes 0..top */
	bool kvm;		/* KVM held references on the page */
	int width, height, plot_h;
	int lanes_h;		/* the "mapped" lanes */
	int top_h;		/* title and marks above the plot */
};

static int y_of(const struct chart *ch, int v)
{
	return ch->top_h + ch->plot_h - v * ch->plot_h / ch->top;
}

static int x_of(unsigned int col)
{
	return CH_LEFT + (int)col * CH_COL + CH_COL / 2;
}

static unsigned int chart_marks(struct ctx *c, const struct chart *ch,
				bool draw);

static void chart_measure(struct ctx *c, struct chart *ch)
{
	unsigned int run, col, marks;
	int max = 1;

	ch->kvm = false;
	for (run = 0; run < c->nruns; run++) {
		if (!c->r->run[run].ran)
			continue;
		for (col = 0; col < c->ncols; col++) {
			const struct report_page *pg = page_at(c, run, col,
							       ch->p);

			if (!pg)
				continue;
			if (pg->refcount > max)
				max = pg->refcount;
			if (pg->kvm_refs > max)
				max = pg->kvm_refs;
			ch->kvm |= pg->kvm_refs != 0;
		}
	}
	ch->top = max + 1;
	ch->plot_h = ch->top * CH_UNIT;
	if (ch->plot_h > 200)
		ch->plot_h = 200;
	ch->width = CH_LEFT + (int)c->ncols * CH_COL + 16;
	if (ch->width < CH_MINW)
		ch->width = CH_MINW;
	marks = chart_marks(c, ch, false);
	ch->top_h = CH_MARK0 + CH_MARK * (int)(marks ? marks - 1 : 0) + CH_VIOL;
	ch->lanes_h = (int)ch->nlines * CH_LANE + 8;
	ch->height = ch->top_h + ch->plot_h + ch->lanes_h + CH_XLAB +
		     (int)(ch->nlines + 2) * CH_LEG + 6;
}

/* one line's path (@kvm: KVM's references instead of the refcount) */
static void chart_path(struct ctx *c, const struct chart *ch, unsigned int v,
		       bool kvm)
{
	unsigned int col, run = ch->first[v];
	int dy = (int)(2 * v + 1 - ch->nlines) * CH_OFFSET / 2;
	bool pen = false;

	fprintf(c->f, "<path class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s d=\"",
		kvm ? "kvmrefs" : "rc", palette[v % NR_PALETTE],
		kvm ? "1.5" : "2.2",
		kvm ? " stroke-dasharray=\"5 3\"" :
		v >= NR_PALETTE ? " stroke-dasharray=\"8 2 2 2\"" : "");
	for (col = 0; col < c->ncols; col++) {
		const struct report_step *s = state_at(c, run, col);
		int x = x_of(col), y, end;

		if (!s || !s->page[ch->p].present) {
			pen = false;
			continue;
		}
		y = y_of(ch, kvm ? s->page[ch->p].kvm_refs :
				   s->page[ch->p].refcount) + dy;
		/*
		 * a step chart: the value changes at the line's column and
		 * holds until the next one
		 */
		end = x + (col + 1 < c->ncols ? CH_COL : CH_COL / 2);
		if (pen)
			fprintf(c->f, "V%d H%d ", y, end);
		else
			fprintf(c->f, "M%d %d H%d ", x, y, end);
		pen = true;
	}
	fputs("\"/>\n", c->f);
}

static void chart_points(struct ctx *c, const struct chart *ch,
			 unsigned int v)
{
	unsigned int col, run = ch->first[v];
	int dy = (int)(2 * v + 1 - ch->nlines) * CH_OFFSET / 2;

	for (col = 0; col < c->ncols; col++) {
		const struct report_step *s = col_step(c, run, col);
		const struct report_page *pg = page_at(c, run, col, ch->p);

		if (!pg)
			continue;
		/* filled: a second-stage leaf maps the page */
		fprintf(c->f, "<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"%s\" stroke=\"%s\"><title>L%u %s: refcount %d, KVM holds %d%s%s%s%s</title></circle>\n",
			x_of(col), y_of(ch, pg->refcount) + dy,
			pg->mapped ? palette[v % NR_PALETTE] : "#fff",
			palette[v % NR_PALETTE], s->line, s->op, pg->refcount,
			pg->kvm_refs, pg->mapped ? ", mapped" : "",
			pg->dirty ? ", dirty" : "",
			pg->accessed ? ", accessed" : "",
			pg->freed ? ", freed" : "");
	}
}

/*
 * The marks above the plot, per column: references KVM took and dropped
 * on the page (one label per distinct count), and violations raised on it
 * (a red rule through the plot and the invariant ids).
 */
static unsigned int chart_marks(struct ctx *c, const struct chart *ch,
				bool draw)
{
	unsigned int col, v, i, k, most = 0;

	for (col = 0; col < c->ncols; col++) {
		bool inv[KVMPFN_REPORT_MAX_INV + 1] = { 0 }, any = false;
		bool expected_only = true;
		unsigned int nseen = 0;
		char seen[8][24];
		int x = x_of(col);

		for (v = 0; v < ch->nlines; v++) {
			const struct report_run *run = &c->r->run[ch->first[v]];
			const struct report_step *s = col_step(c, ch->first[v],
							       col);
			char t[24];

			if (!s)
				continue;
			if (refs_on_page(run, s, ch->p)) {
				snprintf(t, sizeof(t), "+%u \xe2\x88\x92%u",
					 s->gets, s->puts);
				for (k = 0; k < nseen && strcmp(seen[k], t); k++)
					;
				if (k == nseen && nseen < 8) {
					strcpy(seen[nseen], t);
					if (draw)
						fprintf(c->f, "<text class=\"kvmmark\" x=\"%d\" y=\"%u\" fill=\"%s\">%s</text>\n",
							x, CH_MARK0 + CH_MARK * nseen,
							ch->nlines > 1 ? palette[v % NR_PALETTE] : "#333",
							t);
					nseen++;
				}
			}
			for (i = 0; i < s->nviol; i++) {
				int id = s->viol[i].id;

				if (!viol_on_page(s, &s->viol[i], ch->p) ||
				    id < 0 || id > KVMPFN_REPORT_MAX_INV)
					continue;
				expected_only &= s->viol[i].expected;
				inv[id] = any = true;
			}
		}
		if (nseen > most)
			most = nseen;
		if (!any || !draw)
			continue;
		fprintf(c->f, "<g class=\"violation\"><line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#c00\" stroke-dasharray=\"3 2\"/><text x=\"%d\" y=\"%d\" class=\"vmark\">&#9888;",
			x, x, ch->top_h - 4, ch->top_h + ch->plot_h, x,
			ch->top_h - 8);
		for (i = 0; i <= KVMPFN_REPORT_MAX_INV; i++)
			if (inv[i] && i)
				fprintf(c->f, " I%u", i);
		fprintf(c->f, "%s%s</text></g>\n", inv[0] ? " WARN" : "",
			expected_only ? " (expected)" : "");
	}
	return most;
}

/* under the plot, a lane per line: where a second-stage leaf maps the page */
static void chart_lanes(struct ctx *c, const struct chart *ch)
{
	int yb = ch->top_h + ch->plot_h;
	unsigned int v, col;

	fprintf(c->f, "<text class=\"band\" x=\"%d\" y=\"%d\" text-anchor=\"end\">mapped</text>\n",
		CH_LEFT - 6, yb + 6 + (int)ch->nlines * CH_LANE / 2 + 3);
	for (v = 0; v < ch->nlines; v++) {
		int y = yb + 6 + (int)v * CH_LANE;

		for (col = 0; col < c->ncols; col++) {
			const struct report_step *s = state_at(c, ch->first[v],
							       col);

			if (!s || !s->page[ch->p].present ||
			    !s->page[ch->p].mapped)
				continue;
			fprintf(c->f, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
				x_of(col), y,
				col + 1 < c->ncols ? CH_COL : CH_COL / 2,
				CH_LANE - 2, palette[v % NR_PALETTE]);
		}
	}
}

/* the operation's first argument ("gfn=0x100001") under its name */
static void arg_label(struct ctx *c, const struct col *k, int x)
{
	const char *a = k->text ? strchr(k->text, ' ') : NULL;
	size_t n;

	if (!a)
		return;
	a += strspn(a, " \t");
	n = strcspn(a, " \t#");
	/* the value only: the operation's name above says what it is */
	if (memchr(a, '=', n)) {
		size_t k = (size_t)((const char *)memchr(a, '=', n) - a) + 1;

		a += k;
		n -= k;
	}
	if (!n)
		return;
	fprintf(c->f, "<tspan x=\"%d\" dy=\"12\" class=\"arg\">", x);
	if (n > 12) {
		char cut[20];

		/* a column is ~12 characters wide; the tooltip has it all */
		snprintf(cut, sizeof(cut), "%.11s\xe2\x80\xa6", a);
		esc(c->f, cut);
	} else {
		char word[13];

		snprintf(word, sizeof(word), "%.*s", (int)n, a);
		esc(c->f, word);
	}
	fputs("</tspan>", c->f);
}

static void chart_draw(struct ctx *c, struct chart *ch, int x0, int y0)
{
	const struct report *r = c->r;
	unsigned int col, v;
	int y, yb = ch->top_h + ch->plot_h;
	uint64_t pfn = 0;
	bool have_pfn = false;

	/* the legend reads which line each run is on: this page's grouping */
	group_runs(c, ch->p, ch->first);
	for (v = 0; v < ch->nlines && !have_pfn; v++)
		for (col = 0; col < c->ncols && !have_pfn; col++) {
			const struct report_step *s = col_step(c, ch->first[v], col);

			if (s && s->page[ch->p].present) {
				pfn = s->page[ch->p].pfn;
				have_pfn = true;
			}
		}
	if (c->fmt == REPORT_HTML)
		fprintf(c->f, "<figure class=\"chart\" id=\"chart-%u\" data-page=\"", ch->p);
	else
		fprintf(c->f, "<g class=\"chart\" id=\"chart-%u\" data-page=\"", ch->p);
	esc(c->f, r->page[ch->p]);
	if (c->fmt == REPORT_HTML)
		fprintf(c->f, "\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
			ch->width, ch->height, ch->width, ch->height);
	else
		fprintf(c->f, "\" transform=\"translate(%d,%d)\">\n", x0, y0);
	fputs("<text class=\"title\" x=\"4\" y=\"16\">", c->f);
	esc(c->f, r->page[ch->p]);
	if (have_pfn)
		fprintf(c->f, "<tspan class=\"sub\" dx=\"12\">pfn 0x%llx, %u line%s for %u run%s</tspan>",
			(unsigned long long)pfn, ch->nlines,
			ch->nlines == 1 ? "" : "s", c->nruns,
			c->nruns == 1 ? "" : "s");
	fprintf(c->f, "</text>\n<text class=\"band\" x=\"4\" y=\"%d\">KVM +get &#8722;put</text>\n",
		CH_MARK0);
	/* y axis: a gridline a reference, numbered at most ~6 times */
	for (y = 0; y <= ch->top; y++) {
		int step = ch->top > 6 ? (ch->top + 5) / 6 : 1;

		if (y % step)
			continue;
		fprintf(c->f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\"/><text class=\"yl\" x=\"%d\" y=\"%d\">%d</text>\n",
			CH_LEFT, CH_LEFT + (int)c->ncols * CH_COL, y_of(ch, y),
			y_of(ch, y), y ? "#e4e4e4" : "#888", CH_LEFT - 6,
			y_of(ch, y) + 4, y);
	}
	fprintf(c->f, "<text class=\"yt\" transform=\"translate(14,%d) rotate(-90)\">refcount</text>\n",
		ch->top_h + ch->plot_h / 2);
	chart_lanes(c, ch);
	/*
	 * x axis: the operation lines; one that failed in some run is red
	 * and crossed
	 */
	for (col = 0; col < c->ncols; col++) {
		const struct col *k = &c->col[col];

		fprintf(c->f, "<text class=\"xl%s\" x=\"%d\" y=\"%d\">L%u%s<tspan x=\"%d\" dy=\"13\">",
			k->nerr ? " err" : "", x_of(col),
			yb + ch->lanes_h + 12, k->line,
			k->nerr ? " \xe2\x9c\x97" : "", x_of(col));
		esc(c->f, k->op);
		fputs("</tspan>", c->f);
		arg_label(c, k, x_of(col));
		fputs("<title>", c->f);
		esc(c->f, k->text ? k->text : k->op);
		if (k->nerr)
			fprintf(c->f, " (failed in %u of %u runs)", k->nerr,
				k->nerr + k->nok);
		fputs("</title></text>\n", c->f);
	}
	chart_marks(c, ch, true);
	for (v = 0; v < ch->nlines; v++) {
		if (ch->kvm)
			chart_path(c, ch, v, true);
		chart_path(c, ch, v, false);
		chart_points(c, ch, v);
	}
	/* legend */
	y = yb + ch->lanes_h + CH_XLAB + CH_LEG;
	for (v = 0; v < ch->nlines; v++, y += CH_LEG) {
		fprintf(c->f, "<line x1=\"8\" x2=\"36\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.2\"%s/><text class=\"leg\" x=\"44\" y=\"%d\">",
			y - 4, y - 4, palette[v % NR_PALETTE],
			v >= NR_PALETTE ? " stroke-dasharray=\"8 2 2 2\"" : "",
			y);
		runs_label(c, v);
		fputs("</text>\n", c->f);
	}
	fprintf(c->f, "<text class=\"note\" x=\"8\" y=\"%d\">&#9679; and the lane under the plot: mapped by a second-stage leaf; &#9675; not mapped%s</text>\n",
		y, ch->kvm ? "; dashed: references KVM holds" : "");
	if (ch->nlines > 1)
		fprintf(c->f, "<text class=\"note\" x=\"8\" y=\"%d\">lines that coincide are drawn %dpx apart</text>\n",
			y + CH_LEG, CH_OFFSET);
	fputs(c->fmt == REPORT_HTML ? "</svg></figure>\n" : "</g>\n", c->f);
}

/* the charts' styles, shared by both formats */
static const char chart_css[] =
	"text{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:11px;fill:#222}"
	".title{font-size:14px;font-weight:bold}.sub{fill:#555;font-size:11px;font-weight:normal}"
	".band{fill:#777;font-size:10px}.yl{text-anchor:end;fill:#555}"
	".yt{text-anchor:middle;fill:#555}"
	".xl{text-anchor:middle;fill:#333}.xl.err{fill:#b00000}"
	".arg{font-size:9px;fill:#666}"
	".kvmmark{text-anchor:middle;font-weight:bold;font-size:11px}"
	".vmark{text-anchor:middle;fill:#c00;font-weight:bold;font-size:12px}"
	".leg{font-size:11px}.note{fill:#666;font-size:10px}"
	".hd{font-weight:bold}.st{font-weight:bold}.fail .st{fill:#a00000}";

static void html_steps(struct ctx *c)
{
	unsigned int col;

	fputs("<h2>Operation lines</h2>\n<table class=\"steps\"><thead><tr><th>line</th><th>operation</th><th>runs ok</th><th>runs failed</th></tr></thead><tbody>\n",
	      c->f);
	for (col = 0; col < c->ncols; col++) {
		const struct col *k = &c->col[col];

		fprintf(c->f, "<tr%s><td>%u</td><td><code>",
			k->nerr ? " class=\"err\"" : "", k->line);
		if (k->text)
			esc(c->f, k->text);
		else
			esc(c->f, k->op);
		fprintf(c->f, "</code></td><td>%u</td><td>%u</td></tr>\n",
			k->nok, k->nerr);
	}
	fputs("</tbody></table>\n", c->f);
}

/* every violation of every run, at most @max rows */
static void html_violations(struct ctx *c, unsigned int max)
{
	const struct report *r = c->r;
	unsigned int run, i, j, n = 0, total = 0;

	for (run = 0; run < c->nruns; run++)
		for (i = 0; i < r->run[run].nsteps; i++)
			total += r->run[run].step[i].nviol;
	fprintf(c->f, "<h2>Invariant violations (%u)</h2>\n", total);
	if (!total) {
		fputs("<p>None in any run.</p>\n", c->f);
		return;
	}
	fputs("<table class=\"viols\"><thead><tr><th>model</th><th>stage</th><th>line</th><th>invariant</th><th>pfn</th><th>expected</th><th>message</th></tr></thead><tbody>\n",
	      c->f);
	for (run = 0; run < c->nruns && n < max; run++)
		for (i = 0; i < r->run[run].nsteps && n < max; i++) {
			const struct report_step *s = &r->run[run].step[i];

			for (j = 0; j < s->nviol && n < max; j++, n++) {
				const struct report_viol *v = &s->viol[j];

				fputs("<tr><td>", c->f);
				esc(c->f, r->model[run / r->nstages]);
				fputs("</td><td>", c->f);
				esc(c->f, r->stage[run % r->nstages]);
				fprintf(c->f, "</td><td>%u</td><td>", s->line);
				if (v->id)
					fprintf(c->f, "I%d", v->id);
				else
					fputs("WARN", c->f);
				fprintf(c->f, "</td><td>0x%llx</td><td>%s</td><td>",
					(unsigned long long)v->pfn,
					v->expected ? "yes" : "<b>no</b>");
				esc(c->f, v->msg);
				fputs("</td></tr>\n", c->f);
			}
		}
	fputs("</tbody></table>\n", c->f);
	if (n < total)
		fprintf(c->f, "<p>%u more not shown.</p>\n", total - n);
}

static unsigned int failed_runs(const struct ctx *c)
{
	unsigned int run, n = 0;

	for (run = 0; run < c->nruns; run++)
		n += !c->r->run[run].ran || c->r->run[run].rc != 0;
	return n;
}

static int write_html(struct ctx *c, struct chart *ch)
{
	const struct report *r = c->r;
	unsigned int p;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>kvmpfn: ", c->f);
	esc(c->f, r->path);
	fputs("</title>\n<style>\n"
	      "body{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:13px;margin:16px;color:#222}\n"
	      "h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px}\n"
	      "table{border-collapse:collapse}th,td{padding:3px 6px;text-align:left}\n"
	      ".grid td,.grid th{border:1px solid #fff}.grid thead th{background:#ddd}\n"
	      ".grid tbody th{background:#eee}\n"
	      ".cell{min-width:84px;font-family:'DejaVu Sans Mono',monospace;font-size:12px}\n"
	      ".cell.ok{background:#e3f4e3}.cell.fail{background:#f9d0cc}\n"
	      ".cell.viol{background:#fbe6b8}.cell.norun{background:#eee;color:#777}\n"
	      ".cell .st{font-weight:bold}.cell.fail .st{color:#a00000}\n"
	      ".steps td,.viols td,.steps th,.viols th{border-bottom:1px solid #ddd}\n"
	      ".steps tr.err td{color:#a00000}\n"
	      ".charts{display:flex;flex-wrap:wrap;gap:8px 24px}\n"
	      "figure.chart{margin:0}\n"
	      ".key{color:#555;max-width:1100px}\n", c->f);
	fputs(chart_css, c->f);
	fputs("\n</style></head><body>\n<h1>kvmpfn-sim run: <code>", c->f);
	esc(c->f, r->path);
	fprintf(c->f, "</code></h1>\n<p class=\"summary\">%u model%s &#215; %u stage%s: %u run%s, <b>%u failed</b>; %u page%s, %u operation lines.</p>\n",
		r->nmodels, r->nmodels == 1 ? "" : "s", r->nstages,
		r->nstages == 1 ? "" : "s", c->nruns, c->nruns == 1 ? "" : "s",
		failed_runs(c), r->npages, r->npages == 1 ? "" : "s",
		c->ncols);
	fputs("<h2>Outcomes</h2>\n<p class=\"key\">Each cell is one run: faults mapped / failed, then the struct page references KVM took (+) and dropped (&#8722;) over the run, then the verdict: <b>ok</b> (green), <b>ok, violated In</b> (amber: violations the scenario expects), <b>FAIL</b> (red: an unexpected violation or an unmet expectation, with the invariants raised).</p>\n",
	      c->f);
	html_grid(c);
	fputs("<h2>Refcount per page</h2>\n<p class=\"key\">One chart per page of the scenario's allocations: its refcount after each operation line (x: scenario line and operation, red if it failed in some run).  Runs that give the page the same history share a line, named in the legend.  Above the plot: the references KVM took and dropped on the page at that line, and &#9888; the invariants violated on it.</p>\n<div class=\"charts\">\n",
	      c->f);
	for (p = 0; p < r->npages; p++)
		chart_draw(c, &ch[p], 0, 0);
	fputs("</div>\n", c->f);
	if (!r->npages)
		fputs("<p>The scenario names no allocation.</p>\n", c->f);
	html_steps(c);
	html_violations(c, 200);
	fputs("</body></html>\n", c->f);
	return 0;
}

static int write_svg(struct ctx *c, struct chart *ch)
{
	const struct report *r = c->r;
	int w = GRID_HEAD + (int)r->nstages * GRID_W + 16, h, y;
	unsigned int p;

	h = 40 + 22 + (int)r->nmodels * GRID_H + 24;
	for (p = 0; p < r->npages; p++) {
		if (ch[p].width > w)
			w = ch[p].width;
		h += ch[p].height + 12;
	}
	fprintf(c->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n<style>%s</style>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n<text class=\"title\" x=\"8\" y=\"22\">kvmpfn-sim run: ",
		w + 16, h, w + 16, h, chart_css);
	esc(c->f, r->path);
	fprintf(c->f, "</text>\n<text class=\"sub\" x=\"8\" y=\"38\">%u run%s, %u failed; cell: faults mapped / failed, KVM references +taken &#8722;dropped, verdict</text>\n",
		c->nruns, c->nruns == 1 ? "" : "s", failed_runs(c));
	y = 46 + svg_grid(c, 8, 46) + 24;
	for (p = 0; p < r->npages; p++) {
		chart_draw(c, &ch[p], 8, y);
		y += ch[p].height + 12;
	}
	fputs("</svg>\n", c->f);
	return 0;
}

int report_write(const struct report *r, enum report_format fmt, FILE *out)
{
	struct ctx c = { .r = r, .f = out, .fmt = fmt };
	struct chart *ch = calloc(r->npages + 1, sizeof(*ch));
	unsigned int p, nruns = r->nmodels * r->nstages;
	int rc = -1;

	if (!ch || build_cols(&c))
		goto out;
	for (p = 0; p < r->npages; p++) {
		ch[p].p = p;
		ch[p].first = malloc((nruns + 1) * sizeof(unsigned int));
		if (!ch[p].first)
			goto out;
	}
	for (p = 0; p < r->npages; p++) {
		ch[p].nlines = group_runs(&c, p, ch[p].first);
		chart_measure(&c, &ch[p]);
	}
	rc = fmt == REPORT_HTML ? write_html(&c, ch) : write_svg(&c, ch);
out:
	if (ch)
		for (p = 0; p < r->npages; p++)
			free(ch[p].first);
	free(ch);
	free(c.col);
	free(c.colstep);
	free(c.variant);
	if (!rc && ferror(out))
		rc = -1;
	return rc;
}
