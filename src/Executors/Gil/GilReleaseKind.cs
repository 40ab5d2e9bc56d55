namespace Executors;

/// <summary>Why a thread gives up an emulated lock; it decides the statistics and the forced-switch wait.</summary>
internal enum GilReleaseKind
{
    /// <summary>A release scope, a sleep or a yield: <c>Py_BEGIN_ALLOW_THREADS</c>.</summary>
    Voluntary,

    /// <summary>A checkpoint honouring a drop request: the eval breaker.</summary>
    Forced,

    /// <summary>The outermost hold ends: the thread detaches.</summary>
    Final,
}
