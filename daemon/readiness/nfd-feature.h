/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Node Feature Discovery "local" feature file (NFDFeatureFile=, e.g.
 * /etc/kubernetes/node-feature-discovery/features.d/tdxd): one `name=value` line per feature,
 * which NFD turns into node labels under feature.node.kubernetes.io/. Counts are features,
 * not labels, on NFD's side (its maintainers keep counts out of labels); we just publish. */

#include "status.h"

/* Format the file for a status. Pure; caller frees. */
int nfd_feature_format(const struct tdx_status *s, char **ret);
