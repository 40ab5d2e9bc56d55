// The worker process of ProcessPoolExecutor. All of its logic lives in the Executors assembly
// (src/Executors/ProcessPool/Worker), where it is tested; this file only hands over the arguments.
return Executors.ProcessPool.Worker.WorkerEntryPoint.Run(args);
