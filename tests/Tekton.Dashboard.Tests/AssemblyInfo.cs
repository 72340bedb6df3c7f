// One browser test at a time: the machines that run them have two cores, and a failure's screenshot is taken for the
// one test that was running.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
