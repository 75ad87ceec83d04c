import ivm = require('isolated-vm');
export = ivm;
