package io.sluice.vnet.api;

/** Told of interface changes on the control plane (the FIB adds connected and local routes from addresses). */
public interface InterfaceListener {
    void interfaceChanged(InterfaceSnapshot previous, InterfaceSnapshot current);
}
