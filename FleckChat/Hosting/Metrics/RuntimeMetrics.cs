namespace FleckChat.Hosting.Metrics;

/// <summary>
/// A few .NET runtime figures that explain the daemon's own: garbage collections, heap size, thread
/// pool threads, lock contention and JIT work (a rising contention count means threads are queueing on a lock).
/// </summary>
internal static class RuntimeMetrics
{
    public static MetricsRegistry AddRuntimeMetrics(this MetricsRegistry registry) => registry
        .Counter("dotnet_gc_collections_total", "Garbage collections, by generation.", "generation",
            () => Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => (g.ToString(System.Globalization.CultureInfo.InvariantCulture), (double)GC.CollectionCount(g))))
        .Gauge("dotnet_gc_heap_bytes", "Bytes currently thought to be allocated on the managed heap.", () => GC.GetTotalMemory(forceFullCollection: false))
        .Gauge("dotnet_threadpool_threads", "Thread pool threads now.", () => ThreadPool.ThreadCount)
        .Counter("dotnet_monitor_lock_contentions_total", "Times a thread had to wait for a lock held by another.", () => Monitor.LockContentionCount)
        .Counter("dotnet_jit_methods_total", "Methods compiled by the JIT (tier-1 recompilations included; 0 under NativeAOT).", () => System.Runtime.JitInfo.GetCompiledMethodCount())
        .Counter("dotnet_jit_il_bytes_total", "IL bytes compiled by the JIT.", () => System.Runtime.JitInfo.GetCompiledILBytes());
}
