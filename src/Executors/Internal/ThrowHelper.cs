using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Executors.Internal;

/// <summary>
/// Every exception message of the library in one place (runtime's ThrowHelper idea, without .resx).
/// <c>Throw*</c> methods throw; <c>Create*</c> methods return an exception for the caller to throw,
/// which keeps the caller's flow analysis simple where a value must be returned.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowTimeoutOutOfRange(TimeSpan timeout, string paramName) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            timeout,
            "The timeout must be non-negative, or Timeout.InfiniteTimeSpan to wait forever.");

    [DoesNotReturn]
    public static void ThrowNullFutureInSequence(string paramName) =>
        throw new ArgumentNullException(paramName, "The sequence of futures contains a null element.");

    [DoesNotReturn]
    public static void ThrowUndefinedReturnWhen(ReturnWhen returnWhen) =>
        throw new ArgumentOutOfRangeException(
            nameof(returnWhen),
            returnWhen,
            "ReturnWhen must be FirstCompleted, FirstException or AllCompleted.");

    [DoesNotReturn]
    public static void ThrowMaxWorkersOutOfRange(int value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "MaxWorkers must be greater than 0.");

    [DoesNotReturn]
    public static void ThrowMaxTasksPerChildOutOfRange(int value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "MaxTasksPerChild must be greater than 0, or null to keep workers for the life of the pool.");

    [DoesNotReturn]
    public static void ThrowWorkerStartTimeoutOutOfRange(TimeSpan value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "WorkerStartTimeout must be greater than zero, or Timeout.InfiniteTimeSpan.");

    [DoesNotReturn]
    public static void ThrowIdleTimeoutOutOfRange(TimeSpan value, string paramName) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            "IdleTimeout must be greater than zero, or Timeout.InfiniteTimeSpan to keep idle workers forever.");

    [DoesNotReturn]
    public static void ThrowChunkSizeOutOfRange(int value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "chunkSize must be at least 1.");

    [DoesNotReturn]
    public static void ThrowBufferSizeOutOfRange(int value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "bufferSize must be at least 1, or null to submit every item at once.");

    public static void ThrowIfSwitchIntervalOutOfRange(TimeSpan value, string paramName)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The switch interval must be greater than zero (CPython: 'switch interval must be strictly positive').");
        }
    }

    [DoesNotReturn]
    public static void ThrowUndefinedGilHandoff(GilHandoff value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "Handoff must be a defined GilHandoff value.");

    [DoesNotReturn]
    public static void ThrowOldestWaiterBiasOutOfRange(double value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "OldestWaiterBias must be between 0 and 1.");

    [DoesNotReturn]
    public static void ThrowLongHoldThresholdOutOfRange(TimeSpan value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "LongHoldThreshold must be greater than zero, or null for ten switch intervals.");

    [DoesNotReturn]
    public static void ThrowYieldWindowOutOfRange(TimeSpan value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "YieldWindow must not be negative.");

    [DoesNotReturn]
    public static void ThrowUndefinedGilMode(GilMode value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, "GilMode must be Disabled, Emulated or PerWorker.");

    [DoesNotReturn]
    public static void ThrowGilLockWithoutEmulatedMode(GilMode mode, string paramName) =>
        throw new ArgumentException(
            $"GilLock is set but GilMode is {mode}: a shared lock is only used with GilMode.Emulated. Set GilMode = GilMode.Emulated, or leave GilLock null.",
            paramName);

    [DoesNotReturn]
    public static void ThrowAttachedToAnotherGil() =>
        throw new InvalidOperationException(
            "The current thread is already attached to another GlobalInterpreterLock (a thread belongs to one emulated interpreter at a time). Release that lock first.");

    [DoesNotReturn]
    public static void ThrowGilHoldNotOwned() =>
        throw new InvalidOperationException(
            "This GIL hold is not held by the current thread: a hold must be disposed once, on the thread that acquired it.");

    public static PlatformNotSupportedException CreateWorkerHostSingleFile() =>
        new("ProcessPoolExecutor cannot start worker processes in a single-file app (PublishSingleFile) or a native AOT app (PublishAot): "
            + "a worker loads the app's assemblies from disk, and this app has none there. Publish to a folder instead "
            + "(`dotnet publish -o <folder>`, without PublishSingleFile or PublishAot); ThreadPoolExecutor works in either kind of app.");

    public static PlatformNotSupportedException CreateWorkerHostNoDepsFile(string? depsFile) =>
        new($"ProcessPoolExecutor needs the application's .deps.json file to start worker processes with the same dependencies, and "
            + (depsFile is null ? "this process has none." : $"'{depsFile}' does not exist.")
            + " Run the app as `dotnet run`, `dotnet app.dll` or its apphost from its build or publish folder, where `dotnet build` and `dotnet publish` put that file.");

    public static PlatformNotSupportedException CreateWorkerHostNoRuntimeConfig(string depsFile, string runtimeConfig) =>
        new($"ProcessPoolExecutor needs the application's runtime configuration beside '{depsFile}' (expected '{runtimeConfig}') to start worker processes. "
            + "Deploy the whole build or publish folder, the .runtimeconfig.json file included.");

    public static PlatformNotSupportedException CreateWorkerHostMissing(string appBaseDirectory, string executorsDirectory) =>
        new($"ProcessPoolExecutor could not find its worker host, {ProcessPoolConstants.WorkerAssemblyFileName}, in the app's folder '{appBaseDirectory}' "
            + $"or beside Executors.dll in '{executorsDirectory}'. It ships with Executors (in the package's lib/net10.0 folder, and in the "
            + "build output of src/Executors) and a build or publish of any project that references Executors copies it beside the app. "
            + "If a custom deployment step left it out, copy it from there into the app's folder.");

    public static PlatformNotSupportedException CreateWorkerHostNoDotnet() =>
        new("ProcessPoolExecutor could not find the 'dotnet' host to start worker processes: install the .NET runtime, "
            + "or set DOTNET_HOST_PATH to the dotnet executable, or put it on PATH.");

    [DoesNotReturn]
    public static void ThrowMapEnumeratedTwice() =>
        throw new InvalidOperationException("The results of Map can be enumerated only once.");

    public static InvalidStateException CreateUnexpectedStateForRunning(FutureState state) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"SetRunningOrNotifyCancel was called on a future in the {state} state; only a pending or canceled future can be started."));

    public static InvalidStateException CreateAlreadyDone(FutureState state) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The future is already done ({state}); its outcome cannot be set again."));

    public static OperationCanceledException CreateFutureCanceledException() =>
        new("The future was canceled.");

    public static TimeoutException CreateFutureTimeout(TimeSpan timeout) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The future was not done within {timeout}."));

    public static TimeoutException CreateAsCompletedTimeout(int remaining, int total) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{remaining} (of {total}) futures unfinished when the timeout passed."));

    public static TimeoutException CreateMapTimeout(int index) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The result of item {index} was not available before the Map timeout passed."));

    public static BrokenThreadPoolException CreateBrokenThreadPool(Exception? initializerException) =>
        new(BrokenThreadPoolException.DefaultMessage, initializerException);
}
