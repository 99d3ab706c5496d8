"""Loading libcxm and declaring the C functions the package calls (ctypes).

Every struct below mirrors its C definition in include/cxm/*.h field by
field; :func:`check_layouts` compares ``ctypes.sizeof`` with the ``size``
the C init functions write, so a header change that is not mirrored here is
caught when the library is loaded.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)
from typing import Any, Optional

# ---- structs (include/cxm/*.h) --------------------------------------------


class Event(Structure):
    """struct cxm_event (cxm/event.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("customer", c_char_p),
        ("customer_len", c_size_t),
        ("time", c_int64),
        ("kind", c_int32),
        ("has_value", c_int32),
        ("value", c_double),
        ("channel", c_int32),
        ("stage", c_int32),
        ("segment", c_int32),
        ("dimension", c_int32),
        ("ref", c_char_p),
        ("ref_len", c_size_t),
        ("id", c_char_p),
        ("id_len", c_size_t),
    ]


class StoreOptions(Structure):
    """struct cxm_store_options (cxm/store.h)."""

    _fields_ = [("size", c_size_t), ("allocator", c_void_p), ("bucket_seconds", c_int64), ("omit", c_uint32)]


class StoreStats(Structure):
    """struct cxm_store_stats (cxm/store.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("events", c_uint64),
        ("duplicates", c_uint64),
        ("customers", c_uint64),
        ("first", c_int64),
        ("last", c_int64),
        ("cells", c_uint64),
        ("memory_bytes", c_uint64),
    ]


class Filter(Structure):
    """struct cxm_filter (cxm/query.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("from_", c_int64),
        ("to", c_int64),
        ("channel", c_int32),
        ("stage", c_int32),
        ("segment", c_int32),
    ]


class NpsAcc(Structure):
    _fields_ = [("count", c_uint64 * 11)]


class CsatAcc(Structure):
    _fields_ = [("count", c_uint64 * 5)]


class CesAcc(Structure):
    _fields_ = [("count", c_uint64 * 7)]


class SurveyAcc(Structure):
    """struct cxm_survey_acc (cxm/survey.h)."""

    _fields_ = [("nps", NpsAcc), ("csat", CsatAcc), ("ces", CesAcc)]


class NpsResult(Structure):
    _fields_ = [
        ("n", c_uint64),
        ("promoters", c_uint64),
        ("passives", c_uint64),
        ("detractors", c_uint64),
        ("score", c_double),
        ("se", c_double),
        ("ci95_low", c_double),
        ("ci95_high", c_double),
        ("adjusted_low", c_double),
        ("adjusted_high", c_double),
    ]


class CsatResult(Structure):
    _fields_ = [
        ("n", c_uint64),
        ("satisfied", c_uint64),
        ("score", c_double),
        ("mean", c_double),
        ("ci95_low", c_double),
        ("ci95_high", c_double),
    ]


class CesResult(Structure):
    _fields_ = [
        ("n", c_uint64),
        ("mean", c_double),
        ("sd", c_double),
        ("ci95_low", c_double),
        ("ci95_high", c_double),
        ("easy_pct", c_double),
        ("high_effort_pct", c_double),
        ("net", c_double),
    ]


class ExperienceOptions(Structure):
    """struct cxm_experience_options (cxm/experience.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("top_box", c_double),
        ("sla_target_seconds", c_int64),
        ("calendar", c_void_p),
        ("has_weights", c_int32),
        ("servqual_weights", c_double * 5),
        ("min_channel_ratings", c_uint32),
    ]


class GapAcc(Structure):
    _fields_ = [
        ("pairs", c_uint64),
        ("mean", c_double),
        ("m2", c_double),
        ("service_sum", c_double),
        ("experience_sum", c_double),
        ("blind_spots", c_uint64),
        ("reverse_spots", c_uint64),
    ]


class ServqualAcc(Structure):
    """struct cxm_servqual_acc (cxm/experience.h)."""

    _fields_ = [("customers", c_uint64 * 6), ("expectation_n", c_uint64 * 6), ("expectation_sum", c_uint64 * 6),
                ("perception_n", c_uint64 * 6), ("perception_sum", c_uint64 * 6)]


class LoyaltyAcc(Structure):
    """struct cxm_loyalty_acc (cxm/experience.h)."""

    _fields_ = [("complaints", c_uint64), ("compliments", c_uint64), ("churned", c_uint64)]


SERVICE_SKETCH_BUCKETS = 2816  # CXM_SERVICE_SKETCH_BUCKETS (cxm/experience.h)


class ServiceAcc(Structure):
    """struct cxm_service_acc (cxm/experience.h)."""

    _fields_ = [("contacts", c_uint64), ("open", c_uint64), ("replied", c_uint64), ("resolved", c_uint64),
                ("met", c_uint64), ("breached", c_uint64), ("first_response_sum_s", c_uint64),
                ("resolution_sum_s", c_uint64), ("first_response_hist", c_uint64 * SERVICE_SKETCH_BUCKETS),
                ("resolution_hist", c_uint64 * SERVICE_SKETCH_BUCKETS)]


class GapResult(Structure):
    _fields_ = [
        ("pairs", c_uint64),
        ("mean", c_double),
        ("se", c_double),
        ("ci95_low", c_double),
        ("ci95_high", c_double),
        ("service", c_double),
        ("experience", c_double),
        ("delivery_gap", c_double),
        ("blind_spot_pct", c_double),
        ("delivery_z", c_double),
        ("blind_spots", c_uint64),
        ("reverse_spots", c_uint64),
    ]


class ServqualResult(Structure):
    _fields_ = [("customers", c_uint64 * 6), ("gap", c_double * 6), ("score", c_double)]


class ServiceResult(Structure):
    _fields_ = [
        ("contacts", c_uint64),
        ("open", c_uint64),
        ("replied", c_uint64),
        ("resolved", c_uint64),
        ("met", c_uint64),
        ("breached", c_uint64),
        ("first_response_median_s", c_double),
        ("first_response_p90_s", c_double),
        ("first_response_mean_s", c_double),
        ("resolution_median_s", c_double),
        ("resolution_p90_s", c_double),
        ("resolution_mean_s", c_double),
        ("within_sla_pct", c_double),
    ]


class OperationsOptions(Structure):
    """struct cxm_operations_options (cxm/operations.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("window_seconds", c_int64),
        ("calendar", c_void_p),
    ]


class OperationsResult(Structure):
    """struct cxm_operations_result (cxm/operations.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("contacts", c_uint64),
        ("resolved", c_uint64),
        ("first_contact_resolved", c_uint64),
        ("reopened", c_uint64),
        ("repeated", c_uint64),
        ("switched", c_uint64),
        ("transfers", c_uint64),
        ("fcr_pct", c_double),
        ("reopen_pct", c_double),
        ("repeat_pct", c_double),
        ("switch_pct", c_double),
        ("transfers_per_contact", c_double),
        ("first_resolution_median_s", c_double),
        ("first_resolution_mean_s", c_double),
        ("full_resolution_median_s", c_double),
        ("full_resolution_mean_s", c_double),
        ("first_resolution_business_median_s", c_double),
        ("first_resolution_business_mean_s", c_double),
        ("full_resolution_business_median_s", c_double),
        ("full_resolution_business_mean_s", c_double),
    ]


class BacklogDay(Structure):
    """struct cxm_backlog_day (cxm/operations.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("day", c_int64),
        ("end", c_int64),
        ("open", c_uint64),
        ("age_median_s", c_double),
        ("age_p90_s", c_double),
        ("age_business_median_s", c_double),
        ("age_business_p90_s", c_double),
    ]


class LoopOptions(Structure):
    """struct cxm_loop_options (cxm/loop.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("nps_detractor_max", c_int32),
        ("csat_detractor_max", c_int32),
        ("ces_detractor_max", c_int32),
        ("target_business_seconds", c_int64),
        ("invitation_window_seconds", c_int64),
        ("calendar", c_void_p),
    ]


class LoopResult(Structure):
    """struct cxm_loop_result (cxm/loop.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("detractors", c_uint64),
        ("followed", c_uint64),
        ("followed_in_target", c_uint64),
        ("followup_median_s", c_double),
        ("followup_p90_s", c_double),
        ("in_target_pct", c_double),
        ("never_pct", c_double),
        ("followed_next", c_uint64),
        ("followed_recovered", c_uint64),
        ("unfollowed_next", c_uint64),
        ("unfollowed_recovered", c_uint64),
        ("recovery_followed_pct", c_double),
        ("recovery_unfollowed_pct", c_double),
        ("recovery_diff_pct", c_double),
        ("recovery_diff_low_pct", c_double),
        ("recovery_diff_high_pct", c_double),
        ("invitations", c_uint64),
        ("invitations_answered", c_uint64),
        ("response_pct", c_double),
        ("nonresponse_pct", c_double),
        ("nps_answers", c_uint64),
        ("csat_answers", c_uint64),
        ("ces_answers", c_uint64),
        ("nps_invited", c_uint64),
        ("csat_invited", c_uint64),
        ("ces_invited", c_uint64),
    ]


class LoyaltyResult(Structure):
    _fields_ = [
        ("complaints", c_uint64),
        ("compliments", c_uint64),
        ("churned", c_uint64),
        ("compliment_ratio", c_double),
    ]


class ConsistencyResult(Structure):
    _fields_ = [
        ("channels", c_uint32),
        ("sd", c_double),
        ("mean_of_means", c_double),
        ("weakest_channel", c_int32),
        ("weakest_mean", c_double),
    ]


class RowError(Structure):
    """struct cxm_row_error (cxm/reader.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("line", c_uint64),
        ("column", c_char_p),
        ("status", c_int32),
        ("reason", c_char_p),
    ]


ROW_ERROR_FN = CFUNCTYPE(None, c_void_p, POINTER(RowError))


class ReaderOptions(Structure):
    """struct cxm_reader_options (cxm/reader.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("format", c_int32),
        ("strict", c_int32),
        ("from_", c_int64),
        ("to", c_int64),
        ("on_error", ROW_ERROR_FN),
        ("user", c_void_p),
        ("delimiter", c_int32),
        ("trim", c_int32),
        ("assume_offset", c_int32),
        ("utc_offset", c_int32),
        ("time_format", c_char_p),
    ]


class ReaderStats(Structure):
    _fields_ = [
        ("size", c_size_t),
        ("rows", c_uint64),
        ("events", c_uint64),
        ("rejected", c_uint64),
        ("duplicates", c_uint64),
        ("out_of_window", c_uint64),
        ("warnings", c_uint64),
        ("bytes", c_uint64),
    ]


class FeatureOptions(Structure):
    """struct cxm_feature_options (cxm/features.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("cutoff", c_int64),
        ("horizon_seconds", c_int64),
        ("purchase_model", c_int32),
        ("calendar", c_void_p),
        ("sla_target_seconds", c_int64),
        ("label", c_int32),
        ("activity", c_int32),
        ("lapse_horizon_seconds", c_int64),
    ]


RISK_MAX_FEATURES = 64
RISK_CALIBRATION_BINS = 10


class RiskModel(Structure):
    """struct cxm_risk_model (cxm/risk.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("features", c_int32),
        ("converged", c_int32),
        ("iterations", c_int32),
        ("separated", c_int32),
        ("intercept", c_double),
        ("intercept_se", c_double),
        ("coef", c_double * RISK_MAX_FEATURES),
        ("se", c_double * RISK_MAX_FEATURES),
        ("l2", c_double),
        ("log_loss", c_double),
        ("rows", c_uint64),
        ("positives", c_uint64),
    ]


class RiskEvaluation(Structure):
    """struct cxm_risk_evaluation (cxm/risk.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("rows", c_uint64),
        ("positives", c_uint64),
        ("log_loss", c_double),
        ("brier", c_double),
        ("auc", c_double),
        ("bin_rows", c_uint64 * RISK_CALIBRATION_BINS),
        ("bin_predicted", c_double * RISK_CALIBRATION_BINS),
        ("bin_observed", c_double * RISK_CALIBRATION_BINS),
    ]


FEATURE_COUNT = 20  # CXM_FEATURE_COUNT (cxm/features.h)
CHURN_AFTER_LAST = -(2**63)  # CXM_CHURN_AFTER_LAST (cxm/churn.h): INT64_MIN


class ChurnOptions(Structure):
    """struct cxm_churn_options (cxm/churn.h); checked against
    cxm_churn_options_init()."""

    _fields_ = [
        ("size", c_size_t),
        ("scored_at", c_int64),
        ("horizon_seconds", c_int64),
        ("purchase_model", c_int32),
        ("calendar", c_void_p),
        ("sla_target_seconds", c_int64),
        ("label", c_int32),
        ("activity", c_int32),
        ("rank", c_int32),
        ("train_lapsed", c_int32),
        ("run_tasks", c_void_p),  # cxm_run_tasks_fn: left NULL (docs/bindings.md)
        ("run_tasks_user", c_void_p),
    ]


class ChurnInfo(Structure):
    """struct cxm_churn_info (cxm/churn.h). Checked at load against
    cxm_churn_info_init(); the binding also sets ``size =
    ctypes.sizeof(ChurnInfo)`` before each cxm_churn_info_get(), which fails
    with CXM_E_SIZE when that is not the library's size."""

    _fields_ = [
        ("size", c_size_t),
        ("scored_at", c_int64),
        ("cutoff", c_int64),
        ("fitted", c_int32),
        ("model", RiskModel),
        ("evaluation", RiskEvaluation),
        ("source", c_int32),
        ("heldout_auc", c_double * 3),
        ("heldout_log_loss", c_double * 3),
        ("margin", c_double),
        ("train_rows", c_uint64),
        ("train_lost", c_uint64),
        ("baseline", c_double * FEATURE_COUNT),
        ("value_at_risk", c_double),
        ("expected_value", c_double),
        ("spend_fitted", c_int32),
    ]


class ChurnRow(Structure):
    """struct cxm_churn_row (cxm/churn.h); like ChurnInfo, checked at load
    against cxm_churn_row_init() and by cxm_churn_row_get() (CXM_E_SIZE)."""

    _fields_ = [
        ("size", c_size_t),
        ("handle", c_uint32),
        ("band", c_int32),
        ("risk", c_double),
        ("logit", c_double),
        ("p_alive", c_double),
        ("p_no_purchase", c_double),
        ("features", c_double * FEATURE_COUNT),
        ("contributions", c_double * FEATURE_COUNT),
        ("driver_count", c_uint32),
        ("drivers", c_int32 * FEATURE_COUNT),
        ("driver_weights", c_double * FEATURE_COUNT),
        ("expected_value", c_double),
        ("value_at_risk", c_double),
    ]


class RfmOptions(Structure):
    """struct cxm_rfm_options (cxm/purchase.h)."""

    _fields_ = [("size", c_size_t), ("to", c_int64), ("holdout_to", c_int64), ("unit_seconds", c_double),
                ("calendar_weeks", c_int32)]


class RfmCustomer(Structure):
    """struct cxm_rfm_customer (cxm/purchase.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("id", c_void_p),
        ("id_len", c_size_t),
        ("x", c_uint32),
        ("t_x", c_double),
        ("T", c_double),
        ("monetary", c_double),
        ("x_star", c_double),
        ("weight", c_double),
    ]


class Comparison(Structure):
    """struct cxm_comparison (cxm/survey.h)."""

    _fields_ = [("first", c_double), ("second", c_double), ("diff", c_double), ("se", c_double), ("z", c_double),
                ("p", c_double)]


class FitOptions(Structure):
    """struct cxm_fit_options (cxm/purchase.h)."""

    _fields_ = [("size", c_size_t), ("max_iterations", c_int32), ("tolerance", c_double), ("start", c_double * 4),
                ("max_seconds", c_double), ("penalty", c_double)]


class TrackingOptions(Structure):
    """struct cxm_tracking_options (cxm/purchase.h)."""

    _fields_ = [("size", c_size_t), ("from_", c_int64), ("cohort_to", c_int64), ("period_seconds", c_double),
                ("unit_seconds", c_double)]


class Model(Structure):
    """struct cxm_model (cxm/purchase.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("kind", c_int32),
        ("converged", c_int32),
        ("iterations", c_int32),
        ("param_count", c_int32),
        ("param", c_double * 4),
        ("se", c_double * 4),
        ("loglik", c_double),
        ("grad_norm", c_double),
        ("customers", c_uint64),
        ("distinct", c_uint64),
        ("degenerate", c_uint32),
    ]


class CovariateFit(Structure):
    """struct cxm_covariate_fit (cxm/covariates.h)."""

    _fields_ = [
        ("size", c_size_t),
        ("kind", c_int32),
        ("count", c_uint32),
        ("trans", c_uint32),
        ("life", c_uint32),
        ("converged", c_int32),
        ("iterations", c_int32),
        ("degenerate", c_uint32),
        ("lr_df", c_int32),
        ("param", c_double * 4),
        ("se", c_double * 4),
        ("gamma_trans", c_double * 6),
        ("se_trans", c_double * 6),
        ("gamma_life", c_double * 6),
        ("se_life", c_double * 6),
        ("loglik", c_double),
        ("grad_norm", c_double),
        ("null_loglik", c_double),
        ("null_converged", c_int32),
        ("reserved", c_int32),
        ("lr", c_double),
        ("lr_p", c_double),
        ("customers", c_uint64),
    ]


class Holdout(Structure):
    """struct cxm_holdout (cxm/purchase.h)."""

    _fields_ = [("size", c_size_t), ("customers", c_uint64), ("actual", c_double), ("expected", c_double),
                ("bin_customers", c_uint64 * 8), ("bin_actual", c_double * 8), ("bin_expected", c_double * 8)]


class Detail(Structure):
    """struct cxm_detail (cxm/common.h)."""

    _fields_ = [("size", c_size_t), ("status", c_int32), ("field", c_char_p), ("reason", ctypes.c_char * 256)]


class SaveOptions(Structure):
    """struct cxm_save_options (cxm/snapshot.h)."""

    _fields_ = [("size", c_size_t), ("new_file_mode", c_uint32)]


class RiskOptions(Structure):
    """struct cxm_risk_options (cxm/risk.h)."""

    _fields_ = [("size", c_size_t), ("l2", c_double), ("max_iterations", c_int32), ("tolerance", c_double),
                ("prior", c_void_p)]


class SliceOptions(Structure):
    """struct cxm_slice_options (cxm/slicestats.h)."""

    _fields_ = [("size", c_size_t), ("adjust", c_int32), ("alpha", c_double), ("min_n", c_uint64),
                ("max_moe", c_double), ("allocator", c_void_p)]


class SliceTest(Structure):
    """struct cxm_slice_test (cxm/slicestats.h)."""

    _fields_ = [("size", c_size_t), ("n", c_uint64), ("n_rest", c_uint64), ("score", c_double),
                ("score_rest", c_double), ("diff", c_double), ("se", c_double), ("stat", c_double), ("df", c_double),
                ("p", c_double), ("p_adjusted", c_double), ("significant", c_int32), ("low_base", c_int32),
                ("moe", c_double)]


class PlanOptions(Structure):
    """struct cxm_plan_options (cxm/slicestats.h)."""

    _fields_ = [("size", c_size_t), ("metric", c_int32), ("margin", c_double), ("population", c_double),
                ("p_promoter", c_double), ("p_detractor", c_double), ("sd", c_double), ("z", c_double)]


#: cxm_write_fn (cxm/snapshot.h): int32_t (*)(void *opaque, const void *bytes, size_t len).
WRITE_FN = CFUNCTYPE(c_int32, c_void_p, c_void_p, c_size_t)


# ---- loading ---------------------------------------------------------------

_P = POINTER
_I32, _I64, _U32, _U64, _SZ, _D, _V, _S = c_int32, c_int64, c_uint32, c_uint64, c_size_t, c_double, c_void_p, c_char_p
_PS = _P(c_char_p)  # const char ** (bytes owned by the library)

# name: (restype, argtypes). Opaque objects travel as c_void_p.
_FUNCTIONS: dict[str, tuple[Any, list[Any]]] = {
    "cxm_version": (_U32, []),
    "cxm_version_string": (_S, []),
    "cxm_status_str": (_S, [_I32]),
    "cxm_status_name": (_S, [_I32]),
    "cxm_event_init": (None, [_P(Event)]),
    "cxm_kind_parse": (_I32, [_P(_I32), _S, _SZ]),
    "cxm_kind_name": (_S, [_I32]),
    "cxm_stage_parse": (_I32, [_P(_I32), _S, _SZ]),
    "cxm_dimension_parse": (_I32, [_P(_I32), _S, _SZ]),
    "cxm_dimension_name": (_S, [_I32]),
    "cxm_time_parse": (_I32, [_P(_I64), _S, _SZ]),
    "cxm_store_options_init": (None, [_P(StoreOptions)]),
    "cxm_store_new": (_I32, [_P(_V), _P(StoreOptions)]),
    "cxm_store_free": (None, [_V]),
    "cxm_store_channel": (_I32, [_P(_I32), _V, _S, _SZ]),
    "cxm_store_segment": (_I32, [_P(_I32), _V, _S, _SZ]),
    "cxm_store_find_channel": (_I32, [_P(_I32), _V, _S, _SZ]),
    "cxm_store_find_segment": (_I32, [_P(_I32), _V, _S, _SZ]),
    "cxm_store_channel_name": (_I32, [_PS, _P(_SZ), _V, _I32]),
    "cxm_store_segment_name": (_I32, [_PS, _P(_SZ), _V, _I32]),
    "cxm_store_attribute": (_I32, [_P(_I32), _V, _S, _SZ]),
    "cxm_store_find_attribute": (_I32, [_P(_I32), _V, _S, _SZ]),
    "cxm_store_attribute_name": (_I32, [_PS, _P(_SZ), _V, _I32]),
    "cxm_store_customer_id": (_I32, [_PS, _P(_SZ), _V, _U32]),
    "cxm_store_stats_get": (_I32, [_P(StoreStats), _V]),
    "cxm_filter_init": (None, [_P(Filter)]),
    "cxm_store_survey": (_I32, [_P(SurveyAcc), _V, _P(Filter)]),
    "cxm_store_group": (_I32, [_P(_V), _V, _P(Filter), _I32]),
    "cxm_groups_count": (_SZ, [_V]),
    "cxm_groups_key": (_I32, [_PS, _P(_SZ), _V, _SZ]),
    "cxm_groups_survey": (_I32, [_P(SurveyAcc), _V, _SZ]),
    "cxm_groups_filter": (_I32, [_P(Filter), _V, _SZ]),
    "cxm_groups_free": (None, [_V]),
    "cxm_nps_compute": (_I32, [_P(NpsResult), _P(NpsAcc)]),
    "cxm_csat_compute": (_I32, [_P(CsatResult), _P(CsatAcc)]),
    "cxm_ces_compute": (_I32, [_P(CesResult), _P(CesAcc)]),
    "cxm_experience_options_init": (None, [_P(ExperienceOptions)]),
    "cxm_store_gap": (_I32, [_P(GapAcc), _V, _P(Filter), _P(ExperienceOptions)]),
    "cxm_gap_compute": (_I32, [_P(GapResult), _P(GapAcc)]),
    "cxm_store_servqual": (_I32, [_P(ServqualResult), _V, _P(Filter), _P(ExperienceOptions)]),
    "cxm_store_service": (_I32, [_P(ServiceResult), _V, _P(Filter), _P(ExperienceOptions)]),
    "cxm_store_service_business": (_I32, [_P(ServiceResult), _V, _P(Filter), _P(ExperienceOptions)]),
    "cxm_operations_options_init": (None, [_P(OperationsOptions)]),
    "cxm_store_operations": (_I32, [_P(OperationsResult), _V, _P(Filter), _P(OperationsOptions)]),
    "cxm_store_backlog": (_I32, [_P(BacklogDay), _P(_SZ), _SZ, _V, _P(Filter), _P(OperationsOptions)]),
    "cxm_store_backlog_each": (_I32, [_P(BacklogDay), _P(_SZ), _P(_SZ), _SZ, _P(Filter), _SZ, _V,
                                      _P(OperationsOptions)]),
    "cxm_calendar_new": (_I32, [_P(_V), _V]),
    "cxm_calendar_free": (None, [_V]),
    "cxm_calendar_set_hours": (_I32, [_V, _I32, _I32, _I32]),
    "cxm_calendar_get_hours": (_I32, [_P(_I32), _P(_I32), _V, _I32]),
    "cxm_calendar_set_offset": (_I32, [_V, _I32]),
    "cxm_calendar_get_offset": (_I32, [_P(_I32), _V]),
    "cxm_calendar_parse_offset": (_I32, [_P(_I32), _S, _SZ]),
    "cxm_calendar_add_holiday": (_I32, [_V, _I32, _I32, _I32]),
    "cxm_calendar_add_holidays_text": (_I32, [_P(_SZ), _V, _S, _SZ]),
    "cxm_calendar_holiday_count": (_SZ, [_V]),
    "cxm_calendar_business_seconds": (_I32, [_P(_I64), _V, _I64, _I64]),
    "cxm_calendar_next_open": (_I32, [_P(_I64), _V, _I64]),
    "cxm_calendar_add_business": (_I32, [_P(_I64), _V, _I64, _I64]),
    "cxm_store_loyalty": (_I32, [_P(LoyaltyResult), _V, _P(Filter)]),
    "cxm_store_consistency": (_I32, [_P(ConsistencyResult), _V, _P(Filter), _P(ExperienceOptions)]),
    "cxm_reader_options_init": (None, [_P(ReaderOptions)]),
    "cxm_store_ingest_file": (_I32, [_V, _S, _P(ReaderOptions), _P(ReaderStats)]),
    "cxm_feature_options_init": (None, [_P(FeatureOptions)]),
    "cxm_feature_name": (_S, [_I32]),
    "cxm_store_features": (_I32, [_P(_V), _V, _P(FeatureOptions)]),
    "cxm_features_count": (_SZ, [_V]),
    "cxm_features_row_get": (_I32, [_P(_D), _SZ, _P(_U32), _P(_I32), _V, _SZ]),
    "cxm_features_free": (None, [_V]),
    "cxm_feature_default_model": (_I32, [_P(RiskModel)]),
    "cxm_store_risk_model": (_I32, [_P(RiskModel), _P(RiskEvaluation), _P(_I32), _V, _P(FeatureOptions)]),
    "cxm_risk_model_init": (None, [_P(RiskModel)]),
    "cxm_risk_score": (_I32, [_P(_D), _P(RiskModel), _P(_D)]),
    "cxm_risk_explain": (_I32, [_P(_D), _P(_D), _P(RiskModel), _P(_D)]),
    "cxm_risk_band": (_I32, [_D]),
    "cxm_churn_options_init": (None, [_P(ChurnOptions)]),
    "cxm_churn_info_init": (None, [_P(ChurnInfo)]),
    "cxm_churn_row_init": (None, [_P(ChurnRow)]),
    "cxm_store_churn": (_I32, [_P(_V), _V, _P(ChurnOptions)]),
    "cxm_churn_count": (_SZ, [_V]),
    "cxm_churn_info_get": (_I32, [_P(ChurnInfo), _V]),
    "cxm_churn_row_get": (_I32, [_P(ChurnRow), _V, _SZ]),
    "cxm_churn_free": (None, [_V]),
    "cxm_store_record_batch": (_I32, [_V, _V, _V, _SZ]),
    "cxm_reader_new": (_I32, [_P(_V), _V, _P(ReaderOptions)]),
    "cxm_reader_feed": (_I32, [_V, _V, _SZ]),
    "cxm_reader_finish": (_I32, [_V]),
    "cxm_reader_stats_get": (_I32, [_P(ReaderStats), _V]),
    "cxm_reader_free": (None, [_V]),
    "cxm_store_save_to": (_I32, [_V, WRITE_FN, _V]),
    "cxm_store_load_bytes": (_I32, [_P(_V), _V, _SZ, _V]),
    "cxm_store_merge": (_I32, [_V, _V]),
    "cxm_rfm_options_init": (None, [_P(RfmOptions)]),
    "cxm_rfm_customer_init": (None, [_P(RfmCustomer)]),
    "cxm_rfm_new": (_I32, [_P(_V), _V]),
    "cxm_rfm_free": (None, [_V]),
    "cxm_store_rfm": (_I32, [_V, _V, _P(RfmOptions)]),
    "cxm_rfm_count": (_SZ, [_V]),
    "cxm_rfm_get": (_I32, [_P(RfmCustomer), _V, _SZ]),
    "cxm_fit_options_init": (None, [_P(FitOptions)]),
    "cxm_tracking_options_init": (None, [_P(TrackingOptions)]),
    "cxm_store_tracking": (_I32, [_P(_D), _P(_D), _SZ, _V, _P(Model), _P(TrackingOptions)]),
    "cxm_nps_compare": (_I32, [_P(Comparison), _P(NpsAcc), _P(NpsAcc)]),
    "cxm_csat_compare": (_I32, [_P(Comparison), _P(CsatAcc), _P(CsatAcc)]),
    "cxm_model_init": (None, [_P(Model)]),
    "cxm_covariate_fit_init": (None, [_P(CovariateFit)]),
    "cxm_covariate_model_fit": (_I32, [_P(CovariateFit), _V, _P(_D), _SZ, _P(FitOptions)]),
    "cxm_covariate_loglik": (_I32, [_P(_D), _P(CovariateFit), _V, _P(_D), _SZ]),
    "cxm_covariate_customer_model": (_I32, [_P(Model), _P(CovariateFit), _P(_D)]),
    "cxm_store_rfm_detractor": (_I32, [_V, _P(_D), _SZ, _V, _P(RfmOptions)]),
    "cxm_model_fit": (_I32, [_P(Model), _V, _I32, _P(FitOptions)]),
    "cxm_model_name": (_S, [_I32]),
    "cxm_model_param_name": (_S, [_I32, _I32]),
    "cxm_model_p_alive": (_I32, [_P(_D), _P(Model), _U32, _D, _D]),
    "cxm_model_conditional_pmf": (_I32, [_P(_D), _P(Model), _D, _U32, _U32, _D, _D]),
    "cxm_model_tracking": (_I32, [_P(_D), _P(_D), _SZ, _P(Model), _P(_D), _P(_D), _SZ, _D]),
    "cxm_model_expected": (_I32, [_P(_D), _P(Model), _D, _U32, _D, _D]),
    "cxm_model_population": (_I32, [_P(_D), _P(Model), _D]),
    "cxm_model_pmf": (_I32, [_P(_D), _P(Model), _D, _U32]),
    "cxm_model_expected_spend": (_I32, [_P(_D), _P(Model), _U32, _D]),
    "cxm_model_clv": (_I32, [_P(_D), _P(Model), _P(Model), _U32, _D, _D, _D, _U32, _D, _D]),
    "cxm_store_group_experience": (_I32, [_P(_V), _V, _P(Filter), _I32, _P(ExperienceOptions)]),
    "cxm_groups_gap": (_I32, [_P(GapAcc), _V, _SZ]),
    "cxm_groups_servqual": (_I32, [_P(ServqualResult), _V, _SZ]),
    "cxm_groups_service": (_I32, [_P(ServiceResult), _V, _SZ]),
    "cxm_groups_service_business": (_I32, [_P(ServiceResult), _V, _SZ]),
    "cxm_groups_loyalty": (_I32, [_P(LoyaltyResult), _V, _SZ]),
    "cxm_groups_consistency": (_I32, [_P(ConsistencyResult), _V, _SZ]),
    "cxm_risk_data_new": (_I32, [_P(_V), _I32, _V]),
    "cxm_risk_data_free": (None, [_V]),
    "cxm_risk_data_add": (_I32, [_V, _P(_D), _I32, _D]),
    "cxm_risk_data_count": (_SZ, [_V]),
    "cxm_risk_data_features": (_I32, [_V]),
    "cxm_risk_options_init": (None, [_P(RiskOptions)]),
    "cxm_risk_model_set": (_I32, [_P(RiskModel), _I32, _D, _P(_D)]),
    "cxm_risk_fit": (_I32, [_P(RiskModel), _V, _P(RiskOptions)]),
    "cxm_risk_evaluate": (_I32, [_P(RiskEvaluation), _P(RiskModel), _V]),
    "cxm_survey_acc_init": (None, [_P(SurveyAcc)]),
    "cxm_survey_acc_add": (_I32, [_P(SurveyAcc), _I32, _I32, _U64]),
    "cxm_survey_acc_merge": (_I32, [_P(SurveyAcc), _P(SurveyAcc)]),
    "cxm_survey_acc_serialize": (_I32, [_V, _SZ, _P(_SZ), _P(SurveyAcc)]),
    "cxm_survey_acc_deserialize": (_I32, [_P(SurveyAcc), _V, _SZ, _P(_SZ)]),
    "cxm_gap_acc_init": (None, [_P(GapAcc)]),
    "cxm_gap_acc_add": (_I32, [_P(GapAcc), _D, _D, _D]),
    "cxm_gap_acc_merge": (_I32, [_P(GapAcc), _P(GapAcc)]),
    "cxm_gap_acc_serialize": (_I32, [_V, _SZ, _P(_SZ), _P(GapAcc)]),
    "cxm_gap_acc_deserialize": (_I32, [_P(GapAcc), _V, _SZ, _P(_SZ)]),
    "cxm_servqual_acc_init": (None, [_P(ServqualAcc)]),
    "cxm_servqual_acc_merge": (_I32, [_P(ServqualAcc), _P(ServqualAcc)]),
    "cxm_servqual_compute": (_I32, [_P(ServqualResult), _P(ServqualAcc), _P(_D)]),
    "cxm_servqual_acc_serialize": (_I32, [_V, _SZ, _P(_SZ), _P(ServqualAcc)]),
    "cxm_servqual_acc_deserialize": (_I32, [_P(ServqualAcc), _V, _SZ, _P(_SZ)]),
    "cxm_store_servqual_acc": (_I32, [_P(ServqualAcc), _V, _P(Filter)]),
    "cxm_loyalty_acc_init": (None, [_P(LoyaltyAcc)]),
    "cxm_loyalty_acc_merge": (_I32, [_P(LoyaltyAcc), _P(LoyaltyAcc)]),
    "cxm_loyalty_compute": (_I32, [_P(LoyaltyResult), _P(LoyaltyAcc)]),
    "cxm_loyalty_acc_serialize": (_I32, [_V, _SZ, _P(_SZ), _P(LoyaltyAcc)]),
    "cxm_loyalty_acc_deserialize": (_I32, [_P(LoyaltyAcc), _V, _SZ, _P(_SZ)]),
    "cxm_store_loyalty_acc": (_I32, [_P(LoyaltyAcc), _V, _P(Filter)]),
    "cxm_service_acc_init": (None, [_P(ServiceAcc)]),
    "cxm_service_acc_merge": (_I32, [_P(ServiceAcc), _P(ServiceAcc)]),
    "cxm_service_compute": (_I32, [_P(ServiceResult), _P(ServiceAcc)]),
    "cxm_service_acc_serialize": (_I32, [_V, _SZ, _P(_SZ), _P(ServiceAcc)]),
    "cxm_service_acc_deserialize": (_I32, [_P(ServiceAcc), _V, _SZ, _P(_SZ)]),
    "cxm_store_service_acc": (_I32, [_P(ServiceAcc), _V, _P(Filter), _P(ExperienceOptions)]),
    "cxm_store_customer": (_I32, [_P(_U32), _V, _S, _SZ]),
    "cxm_store_find_customer": (_I32, [_P(_U32), _V, _S, _SZ]),
    "cxm_store_record_for": (_I32, [_V, _U32, _P(Event)]),
    "cxm_store_check": (_I32, [_V, _P(Event)]),
    "cxm_csv_record_end": (_I32, [_P(_SZ), _V, _SZ, _SZ, ctypes.c_uint8]),
    "cxm_channel_name": (_S, [_I32]),
    "cxm_stage_name": (_S, [_I32]),
    "cxm_time_format": (_I32, [ctypes.c_char_p, _SZ, _I64]),
    "cxm_time_period_key": (_I32, [ctypes.c_char_p, _SZ, _I64, _I32]),
    "cxm_detail_init": (None, [_P(Detail)]),
    "cxm_store_record_ex": (_I32, [_V, _P(Event), _P(Detail)]),
    "cxm_store_save_ex": (_I32, [_V, _S, _P(Detail)]),
    "cxm_store_load_ex": (_I32, [_P(_V), _S, _V, _P(Detail)]),
    "cxm_save_options_init": (None, [_P(SaveOptions)]),
    "cxm_store_save_with": (_I32, [_V, _S, _P(SaveOptions)]),
    "cxm_model_p_no_purchase": (_I32, [_P(_D), _P(Model), _D, _U32, _D, _D]),
    "cxm_model_loglik": (_I32, [_P(_D), _P(Model), _V]),
    "cxm_model_holdout": (_I32, [_P(Holdout), _P(Model), _V, _D]),
    "cxm_rfm_add": (_I32, [_V, _P(RfmCustomer)]),
    "cxm_rfm_load_csv": (_I32, [_V, _P(_U64), _V, _SZ]),
    "cxm_rfm_load_file": (_I32, [_V, _P(_U64), _S]),
    "cxm_store_operations_each": (_I32, [_P(OperationsResult), _P(Filter), _SZ, _V, _P(OperationsOptions)]),
    "cxm_loop_options_init": (None, [_P(LoopOptions)]),
    "cxm_store_loop": (_I32, [_P(LoopResult), _V, _P(Filter), _P(LoopOptions)]),
    "cxm_store_loop_each": (_I32, [_P(LoopResult), _P(Filter), _SZ, _V, _P(LoopOptions)]),
    "cxm_slice_options_init": (None, [_P(SliceOptions)]),
    "cxm_p_adjust": (_I32, [_P(_D), _P(_D), _SZ, _I32, _V]),
    "cxm_slice_tests_survey": (_I32, [_P(SliceTest), _SZ, _P(SurveyAcc), _SZ, _I32, _P(SliceOptions)]),
    "cxm_slice_tests_groups": (_I32, [_P(SliceTest), _SZ, _V, _I32, _P(SliceOptions)]),
    "cxm_slice_tests_means": (_I32, [_P(SliceTest), _SZ, _P(_U64), _P(_D), _P(_D), _SZ, _P(SliceOptions)]),
    "cxm_nps_score_interval": (_I32, [_P(_D), _P(_D), _P(NpsAcc), _D]),
    "cxm_plan_options_init": (None, [_P(PlanOptions)]),
    "cxm_plan_sample_size": (_I32, [_P(_U64), _P(_D), _P(PlanOptions)]),
}


SONAME = "libcxm.so.0"


def system_paths(root: str = "/") -> list[str]:
    """Where ``meson install`` puts libcxm under the usual prefixes, for a
    system whose linker cache (ldconfig) does not list it yet: the Debian
    multiarch directories first (``/usr/local/lib/x86_64-linux-gnu``, the
    default libdir of meson on Debian), then the plain ones. ``root`` is
    prepended (a DESTDIR, for the tests)."""
    import sysconfig
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    dirs = []
    for prefix in ("/usr/local", "/usr"):
        if arch:
            dirs.append(f"{prefix}/lib/{arch}")
        dirs.extend((f"{prefix}/lib64", f"{prefix}/lib"))
    return [os.path.join(root, d.lstrip("/"), SONAME) for d in dirs]


def _candidates() -> list[str]:
    """Where libcxm is looked for, in order: $CXM_LIBRARY alone when set;
    else a build*/src of the source checkout the package sits in, the
    linker cache (ctypes.util.find_library), then the install directories
    of system_paths()."""
    found: list[str] = []
    env = os.environ.get("CXM_LIBRARY")
    if env:
        return [env]  # explicit: no fallback that could hide a wrong path
    # A source checkout: bindings/python/cxm/ -> the repository root's build*/src/.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    try:
        builds = sorted(d for d in os.listdir(root) if d.startswith("build"))
    except OSError:
        builds = []
    for b in builds:
        path = os.path.join(root, b, "src", "libcxm.so")
        if os.path.exists(path):
            found.append(path)
    system = ctypes.util.find_library("cxm")
    if system:
        found.append(system)
    found.extend(p for p in system_paths() if os.path.exists(p))
    return found


def _load() -> ctypes.CDLL:
    candidates = _candidates()
    errors = []
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
            continue
        for name, (restype, argtypes) in _FUNCTIONS.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        check_layouts(lib)
        return lib
    detail = "; ".join(errors) if errors else "not found (set CXM_LIBRARY to the path of libcxm.so)"
    raise ImportError(f"cannot load libcxm: {detail}")


def check_layouts(lib: ctypes.CDLL) -> dict[str, tuple[int, int]]:
    """Compare each struct's ctypes size with the `size` its C init function
    writes; raises ImportError on a mismatch. Returns {name: (C, ctypes)}.
    (The C side also checks `size` on every call: CXM_E_SIZE.)"""
    pairs = [
        ("cxm_event", Event, lib.cxm_event_init),
        ("cxm_store_options", StoreOptions, lib.cxm_store_options_init),
        ("cxm_filter", Filter, lib.cxm_filter_init),
        ("cxm_experience_options", ExperienceOptions, lib.cxm_experience_options_init),
        ("cxm_operations_options", OperationsOptions, lib.cxm_operations_options_init),
        ("cxm_reader_options", ReaderOptions, lib.cxm_reader_options_init),
        ("cxm_feature_options", FeatureOptions, lib.cxm_feature_options_init),
        ("cxm_risk_model", RiskModel, lib.cxm_risk_model_init),
        ("cxm_churn_options", ChurnOptions, lib.cxm_churn_options_init),
        ("cxm_churn_info", ChurnInfo, lib.cxm_churn_info_init),
        ("cxm_churn_row", ChurnRow, lib.cxm_churn_row_init),
        ("cxm_rfm_options", RfmOptions, lib.cxm_rfm_options_init),
        ("cxm_rfm_customer", RfmCustomer, lib.cxm_rfm_customer_init),
        ("cxm_fit_options", FitOptions, lib.cxm_fit_options_init),
        ("cxm_model", Model, lib.cxm_model_init),
        ("cxm_covariate_fit", CovariateFit, lib.cxm_covariate_fit_init),
        ("cxm_slice_options", SliceOptions, lib.cxm_slice_options_init),
        ("cxm_plan_options", PlanOptions, lib.cxm_plan_options_init),
        ("cxm_detail", Detail, lib.cxm_detail_init),
        ("cxm_risk_options", RiskOptions, lib.cxm_risk_options_init),
        ("cxm_save_options", SaveOptions, lib.cxm_save_options_init),
    ]
    sizes = {}
    for name, cls, init in pairs:
        # A buffer far larger than the struct, so a C struct bigger than the
        # mirror cannot write past it.
        buf = ctypes.create_string_buffer(4096)
        init(ctypes.cast(buf, POINTER(cls)))
        c_size = c_size_t.from_buffer(buf).value
        sizes[name] = (c_size, ctypes.sizeof(cls))
        if c_size != ctypes.sizeof(cls):
            raise ImportError(f"{name}: the library's size is {c_size}, the binding's {ctypes.sizeof(cls)}")
    return sizes


_lib: Optional[ctypes.CDLL] = None


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use)."""
    global _lib
    if _lib is None:
        _lib = _load()
    return _lib
