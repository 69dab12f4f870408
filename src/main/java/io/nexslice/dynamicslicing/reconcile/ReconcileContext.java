package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.event.legacy.EventRecorder;
import io.nexslice.dynamicslicing.desired.UpfDesiredState;
import io.nexslice.dynamicslicing.pool.UeSubnets;
import io.nexslice.dynamicslicing.slice.SliceResolver;
import io.nexslice.dynamicslicing.smf.UpfRegistry;
import io.nexslice.dynamicslicing.write.UeMarks;

/**
 * What both reconcilers (per UE and per slice) work with: one namespace's cache and name claims,
 * and the process-wide collaborators. The wiring builds one per namespace.
 */
public record ReconcileContext(UeCache cache, NameClaims claims, SliceResolver slices, UeSubnets subnets,
    UpfDesiredState desiredState, SlotWriter slotWriter, UeMarks marks, EventRecorder events, UpfRegistry registry,
    ReconcileListener listener) {}
