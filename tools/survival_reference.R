# Reference values for tests/test_survival.c and tests/test_cox.c from R's
# survival package (Debian r-cran-survival): survfit (Kaplan-Meier,
# Greenwood, log(-log) intervals, median, restricted mean), survdiff
# (log-rank), coxph (Breslow and Efron ties, delayed entry).
# Run: Rscript tools/survival_reference.R tests/data/survival
# Writes data.csv (the generated sample) and ref_*.txt (name value lines).
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "tests/data/survival"
set.seed(20261207)
n <- 150
group <- sample(0:2, n, replace = TRUE)
x1 <- round(rnorm(n), 3)
x2 <- rbinom(n, 1, 0.4)
# integer times so that events tie; hazard depends on group and covariates
lp <- 0.5 * x1 - 0.7 * x2 + c(0, 0.4, -0.3)[group + 1]
t_event <- ceiling(rexp(n, 0.08 * exp(lp)))
t_cens <- ceiling(runif(n, 5, 40))
time <- pmin(t_event, t_cens)
event <- as.integer(t_event <= t_cens)
# delayed entry: a third of the customers were first seen after the window
# opened (entry < time), the rest enter at 0
entry <- ifelse(runif(n) < 0.35, floor(runif(n) * time), 0)
d <- data.frame(entry, time, event, group, x1, x2)
write.csv(d, file.path(out, "data.csv"), row.names = FALSE, quote = FALSE)

fmt <- function(x) formatC(x, digits = 17, format = "g")
kv <- function(con, name, value) {
  for (i in seq_along(value)) {
    nm <- if (length(value) > 1) paste0(name, "[", i - 1, "]") else name
    v <- value[i]
    cat(nm, if (is.na(v)) "nan" else fmt(v), "\n", file = con)
  }
}

km_out <- function(fit, file, tau) {
  con <- file(file.path(out, file), "w")
  s <- summary(fit, censored = TRUE)
  kv(con, "steps", length(s$time))
  kv(con, "time", s$time)
  kv(con, "n_risk", s$n.risk)
  kv(con, "n_event", s$n.event)
  kv(con, "n_censor", s$n.censor)
  kv(con, "surv", s$surv)
  kv(con, "std_err", s$std.err)
  kv(con, "lower", s$lower)
  kv(con, "upper", s$upper)
  tab <- summary(fit, rmean = tau)$table
  kv(con, "median", tab[["median"]])
  kv(con, "median_lower", tab[["0.95LCL"]])
  kv(con, "median_upper", tab[["0.95UCL"]])
  kv(con, "tau", tau)
  kv(con, "rmean", tab[["rmean"]])
  kv(con, "rmean_se", tab[["se(rmean)"]])
  close(con)
}

# right-censored sample
km_out(survfit(Surv(time, event) ~ 1, data = d, conf.type = "log-log"), "ref_km.txt", 30)
# delayed entry (left truncation)
km_out(survfit(Surv(entry, time, event) ~ 1, data = d, conf.type = "log-log"), "ref_km_entry.txt", 30)

con <- file(file.path(out, "ref_logrank.txt"), "w")
sd <- survdiff(Surv(time, event) ~ group, data = d)
kv(con, "chisq", sd$chisq)
kv(con, "df", length(sd$n) - 1)
kv(con, "p", pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))
kv(con, "observed", sd$obs)
kv(con, "expected", sd$exp)
# With delayed entry survdiff refuses (start, stop] data, and coxph's score
# test with Breslow ties lacks the hypergeometric factor (n - d) / (n - 1)
# of tied losses. So the Mantel-Haenszel sums are written out here in R,
# checked first against survdiff on the right-censored sample.
logrank_by_hand <- function(entry, time, event, group) {
  k <- max(group) + 1
  tt <- sort(unique(time[event == 1]))
  O <- E <- numeric(k); V <- matrix(0, k, k)
  for (t in tt) {
    atrisk <- entry < t & time >= t
    nr <- tabulate(group[atrisk] + 1, k); n <- sum(nr)
    dg <- tabulate(group[atrisk & time == t & event == 1] + 1, k); dd <- sum(dg)
    O <- O + dg; E <- E + dd * nr / n
    f <- if (n > 1) dd * (n - dd) / (n - 1) else 0
    V <- V + f * (diag(nr / n) - outer(nr / n, nr / n))
  }
  u <- (O - E)[-k]
  list(chisq = sum(solve(V[-k, -k], u) * u), obs = O, exp = E)
}
chk <- logrank_by_hand(rep(0, n), d$time, d$event, d$group)
stopifnot(abs(chk$chisq - sd$chisq) < 1e-10, max(abs(chk$exp - sd$exp)) < 1e-10)
lr <- logrank_by_hand(d$entry, d$time, d$event, d$group)
kv(con, "entry_chisq", lr$chisq)
kv(con, "entry_observed", lr$obs)
kv(con, "entry_expected", lr$exp)
close(con)

cox_out <- function(fit, file) {
  con <- file(file.path(out, file), "w")
  kv(con, "coef", coef(fit))
  kv(con, "se", sqrt(diag(vcov(fit))))
  ci <- exp(confint(fit))
  kv(con, "hr_lower", ci[, 1])
  kv(con, "hr_upper", ci[, 2])
  kv(con, "loglik0", fit$loglik[1])
  kv(con, "loglik", fit$loglik[2])
  kv(con, "score", fit$score)
  kv(con, "wald", fit$wald.test)
  kv(con, "events", fit$nevent)
  close(con)
}
cox_out(coxph(Surv(time, event) ~ x1 + x2, data = d, ties = "breslow"), "ref_cox_breslow.txt")
cox_out(coxph(Surv(time, event) ~ x1 + x2, data = d, ties = "efron"), "ref_cox_efron.txt")
cox_out(coxph(Surv(entry, time, event) ~ x1 + x2 + group, data = d, ties = "breslow"), "ref_cox_entry_breslow.txt")
cox_out(coxph(Surv(entry, time, event) ~ x1 + x2 + group, data = d, ties = "efron"), "ref_cox_entry_efron.txt")
